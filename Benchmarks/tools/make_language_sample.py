#!/usr/bin/env python3
"""make_language_sample.py - a held-out multilingual test sample from the gettext catalogs installed on Debian.

Why these: /usr/share/locale/<lang>/LC_MESSAGES/*.mo hold the translations that Debian packages ship (coreutils,
tar, apt, dpkg, bash, ...): real sentences written by people, in every language we detect, and a source entirely
separate from the wordfreq lists the profiles are built from. English comes from the catalogs' msgids (the
original strings). Licences: each catalog carries its package's licence (mostly GPL); the sample is generated on
the machine that runs the benchmark and never committed.

Cleaning: format directives (%s, %1$d, {0}), option names (--foo), paths and keyboard accelerators (_ &) are
removed; strings that are then shorter than --min characters, or identical to their msgid (untranslated), are
dropped. Up to --per strings per language are drawn with a seeded RNG.
Output (stdout): TSV lines  lang<TAB>text
Run:  python3 Benchmarks/tools/make_language_sample.py --per 300 --seed 7 > /tmp/langsample.tsv
"""
import argparse, gettext, glob, os, random, re

LOCALES = {
    "en": [], "fr": ["fr"], "de": ["de"], "es": ["es"], "it": ["it"], "pt": ["pt", "pt_BR"], "nl": ["nl"],
    "ru": ["ru"], "uk": ["uk"], "pl": ["pl"], "tr": ["tr"], "ar": ["ar"], "zh": ["zh_CN", "zh_TW"], "ja": ["ja"],
    "sv": ["sv"], "cs": ["cs"], "ro": ["ro"], "hu": ["hu"], "fi": ["fi"], "bg": ["bg"], "ko": ["ko"], "el": ["el"],
}
CLEAN = [
    (re.compile(r"%(\d+\$)?[-+ #0']*\d*(\.\d+)?(hh|h|ll|l|L|q|j|z|t)?[diouxXeEfFgGaAcspn%]"), " "),
    (re.compile(r"\{[^}]*\}"), " "), (re.compile(r"--?[A-Za-z][\w-]*"), " "), (re.compile(r"\S*/\S*"), " "),
    (re.compile(r"<[^>]*>"), " "), (re.compile(r"[_&](?=\w)"), ""), (re.compile(r"\s+"), " "),
]

def clean(text):
    for pattern, repl in CLEAN:
        text = pattern.sub(repl, text)
    return text.strip(" :.;,()[]\"'")

def catalog(path):
    try:
        with open(path, "rb") as fp:
            return gettext.GNUTranslations(fp)._catalog
    except Exception:
        return {}

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--per", type=int, default=300); ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--min", type=int, default=25); ap.add_argument("--root", default="/usr/share/locale")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    english = set()
    for lang, dirs in sorted(LOCALES.items()):
        found = set()
        for d in dirs:
            for path in sorted(glob.glob(os.path.join(a.root, d, "LC_MESSAGES", "*.mo"))):
                for msgid, msgstr in catalog(path).items():
                    if isinstance(msgid, tuple):
                        msgid = msgid[0]
                    if not msgid or not isinstance(msgstr, str) or msgstr == msgid:
                        continue
                    english.add(clean(msgid))
                    text = clean(msgstr)
                    if len(text) >= a.min and "\t" not in text and "\n" not in text:
                        found.add(text)
        if lang == "en":
            continue
        chosen = sorted(found)
        rng.shuffle(chosen)
        for text in chosen[: a.per]:
            print(f"{lang}\t{text}")
    chosen = sorted(t for t in english if len(t) >= a.min and "\n" not in t and "\t" not in t)
    rng.shuffle(chosen)
    for text in chosen[: a.per]:
        print(f"en\t{text}")

if __name__ == "__main__":
    main()
