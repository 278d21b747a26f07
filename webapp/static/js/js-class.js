// Loaded in <head> so that the no-script fallbacks hide before the first paint.
document.documentElement.classList.add("js");
