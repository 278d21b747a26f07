#!/usr/bin/env bash
# Installs what pip cannot: the IPAex fonts the report prints with, and Debian's
# chromium for the browser tests, LibreOffice Calc (the tests open the exported
# workbooks in it), a JDK and JAXB for the veraPDF check of the printed PDFs
# (tests/printing/test_verapdf.py), and Ceph's RADOS Gateway (the tests' S3 store,
# scripts/ceph-rgw.sh). Checks that Pango (needed by WeasyPrint) is there.
set -euo pipefail
what=${1:-fonts}

# No `grep -q` after a pipe: it stops reading early, the writer dies of SIGPIPE
# and, under pipefail, a font that is there would count as missing.
have_font() { fc-list 2>/dev/null | grep -i 'IPAexGothic' >/dev/null; }
have_browser() { command -v chromium >/dev/null 2>&1; }
have_office() { command -v libreoffice >/dev/null 2>&1; }
# javac: the test compiles its small driver (a JRE alone has no compiler);
# JAXB: veraPDF reads its profiles with it, and Java 11+ no longer ships it.
have_java() { command -v java >/dev/null 2>&1 && command -v javac >/dev/null 2>&1 \
  && [ -e /usr/share/java/jaxb-runtime.jar ] && [ -e /usr/share/java/jaxb-api.jar ]; }
have_ceph() {
  local tool
  for tool in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph uuidgen; do
    command -v "$tool" >/dev/null 2>&1 || return 1
  done
}
have_pango() { ldconfig -p 2>/dev/null | grep 'libpango-1.0.so' >/dev/null; }

apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "システムパッケージを導入します: $*"
    if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
      apt-get update -qq
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "次のパッケージを導入してください（Debian/Ubuntu の例）: sudo apt-get install -y $*" >&2
    echo "macOS の例: brew install pango; IPAex フォントは https://moji.or.jp/ipafont/ から" >&2
    exit 1
  fi
}

case "$what" in
  fonts)
    have_pango || apt_install libpango-1.0-0 libpangoft2-1.0-0 || {
      echo "Pango がありません（WeasyPrint に必要）: apt-get install -y libpango-1.0-0 libpangoft2-1.0-0" >&2; exit 1; }
    have_font || apt_install fonts-ipaexfont-gothic fonts-ipaexfont-mincho fontconfig
    have_font || { echo "IPAexGothic フォントが見つかりません" >&2; exit 1; }
    command -v pdftoppm >/dev/null 2>&1 || apt_install poppler-utils || true
    ;;
  browser)
    have_browser || apt_install chromium
    have_browser || { echo "chromium が見つかりません（ブラウザ試験に必要）" >&2; exit 1; }
    ;;
  verapdf)
    have_java || apt_install default-jdk-headless libjaxb-java
    have_java || { echo "java・javac・JAXB が見つかりません（veraPDF の試験に必要）" >&2; exit 1; }
    ;;
  office)
    have_office || apt_install libreoffice-calc
    have_office || { echo "libreoffice が見つかりません（Excel 書き出しの試験に必要）" >&2; exit 1; }
    ;;
  ceph)
    # Without recommends: about 250 MB instead of a full Ceph with its manager modules.
    have_ceph || apt_install --no-install-recommends radosgw ceph-mon ceph-osd ceph-common uuid-runtime
    have_ceph || { echo "Ceph (radosgw, ceph-mon, ceph-osd) が見つかりません（S3 保存の試験に必要）" >&2; exit 1; }
    ;;
esac
