#!/usr/bin/env python3
"""Worst cases of the parsers (Benchmarks/FUZZ.md): inputs of each adversarial shape at 16, 64 and 256 KiB, each
parsed three times by its format's parser through `copydesk-fuzz --replay`; prints the least thread CPU time of
the three per size and the growth from 64 to 256 KiB (about 4 when linear, 16 when quadratic).

    swift build -c release --product copydesk-fuzz
    python3 Benchmarks/worst-cases.py [--fuzz .build/release/copydesk-fuzz] [--out /tmp/worst-cases] [--format F]
"""
import argparse, base64, os, re, subprocess, sys

H = "From: A <a@b.example>\nDate: Mon, 13 Nov 2017 10:00:00 +0000\nSubject: Test\n"
def fill(unit, size): return unit * max(1, size // len(unit))
def email_shapes(n):
    yield "many-headers", fill("X-Header: some value here\n", n) + H + "\nBody text.\n"
    yield "folded-header", "Subject: start\n" + fill(" folded continuation line\n", n) + "From: a@b\n\nBody.\n"
    yield "ew-unterminated", "From: a@b\nSubject: " + fill("=?utf-8?Q?abc", n) + "\n\nBody.\n"
    yield "ew-valid", "From: a@b\nSubject: " + fill("=?utf-8?Q?abc?= ", n) + "\n\nBody.\n"
    yield "ew-qmarks", "From: a@b\nSubject: " + fill("=?", n) + "\n\nBody.\n"
    yield "ew-badcharset", "From: a@b\nSubject: " + fill("=?x-nothing?Q?abc?= ", n) + "\n\nBody.\n"
    yield "ct-params", H + "Content-Type: text/plain" + fill("; a=\"b;c\"", n) + "\n\nBody.\n"
    parts = fill("--XX\nContent-Type: application/octet-stream\n\nzz\n", n)
    yield "many-parts", H + "Content-Type: multipart/mixed; boundary=XX\n\n" + parts + "--XX\n\ntext\n--XX--\n"
    tparts = fill("--XX\nContent-Type: text/plain\n\n\n", n)
    yield "many-empty-text-parts", H + "Content-Type: multipart/alternative; boundary=XX\n\n" + tparts + "--XX--\n"
    nest = ""
    for d in range(12):
        nest += "--B%d\nContent-Type: multipart/mixed; boundary=B%d\n\n" % (d, d + 1)
    yield "deep-nesting", H + "Content-Type: multipart/mixed; boundary=B0\n\n" + nest + fill("--B12\nContent-Type: text/plain\n\nx\n", n)
    yield "dash-lines", H + "Content-Type: multipart/mixed; boundary=" + "Q" * 60 + "\n\n" + fill("--" + "Q" * 59 + "\n", n)
    yield "long-boundary", H + "Content-Type: multipart/mixed; boundary=" + "Q" * (n // 2) + "\n\n" + fill("-", n // 2)
    yield "qp-soft-breaks", H + "Content-Transfer-Encoding: quoted-printable\n\n" + fill("abc=\n", n) + "\n"
    yield "qp-equals-spaces", H + "Content-Transfer-Encoding: quoted-printable\n\n" + "=" + " " * n + "x\n"
    yield "qp-equals", H + "Content-Transfer-Encoding: quoted-printable\n\n" + fill("=", n) + "\n"
    yield "base64", H + "Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(b"word and more. " * (n // 20)).decode()
    yield "lowercase-lines", H + "\nA first line of more than forty characters, unfinished\n" + fill("word\n", n)
    yield "lowercase-paragraphs", H + "\nA first line of more than forty characters, unfinished\n\n" + fill("word\n\n", n)
    yield "one-line", H + "\n" + fill("word ", n) + "\n"
    yield "signature", H + "\n" + "text\n-- \n" + fill("sig line\n", n)
    yield "html-paragraphs", H + "Content-Type: text/html\n\n" + fill("<p>word word</p>\n", n)
    yield "html-nesting", H + "Content-Type: text/html\n\n" + fill("<div>", n)
    yield "blank-lines-first", fill("\n", n) + H + "\nBody.\n"
    yield "cr-header", "From: a@b\nSubject: " + fill("a\r", n) + "\n\nBody.\n"
    yield "no-colon-headers", fill("nocolonheaderline\n", n) + H + "\nBody\n"
    yield "many-from", H + fill("From: x@y\n", n) + "\nBody\n"
    yield "keywords", H + "Keywords: " + fill("a,", n) + "\n\nBody\n"
    yield "from-parens", "From: " + fill("(", n) + "\nSubject: s\n\nBody\n"
    yield "html-attrs", H + "Content-Type: text/html\n\n<p " + " ".join("a%d=x" % i for i in range(n // 10)) + ">word.</p>"
    yield "rfc2231", H + "Content-Type: text/plain; name*=utf-8''" + fill("%41", n) + "\n\nBody\n"
def anpa_shapes(n):
    head = "\x16\x16\x01W2607 US asian\nr a \x13\x11BC-US--Ethanol 1stLd-Writethru 11-13 1693\n\x02"
    tail = "\x03AP-WF-11-13-13 0745GMT<\n"
    yield "continuation-lines", head + "^Headline<\n\tROSCOE (AP) _ text\n" + fill("more words here\n", n) + tail
    yield "caret-lines", head + fill("^caret line here<\n", n) + tail
    yield "table-rows", head + "^Headline<\n" + fill("\x08Baltimore;23;13;.639\x10\n", n) + tail
    yield "one-line", head + "^Headline<\n\t" + fill("word ", n) + tail
    yield "header-lines", "\x01" + fill("header line\n", n) + "\x02^H<\n\ttext\n" + tail
    yield "rules", head + "^Headline<\n" + fill("_-=* \n", n) + "\ttext\n" + tail
    yield "no-etx", head + "^Headline<\n" + fill("\tpara\n", n)
def iptc_shapes(n):
    yield "top-lines", "\x01eca062 4 i 211 ccccb dpa 061\n" + fill("top line\n", n) + "\x02Headline =\n\ntext\n\x03131137 GMT Nov 13\n"
    yield "body-lines", "\x01eca062 4 i 211 ccccb dpa 061\nslug/\n\x02Headline =\n\n" + fill("   text line of body\n", n) + "\x03131137 GMT Nov 13\n"
    yield "title-lines", "\x01eca062 4 i 211 ccccb dpa 061\nslug/\n\x02" + fill("title line =\n", n) + "\ntext\n\x03131137 GMT Nov 13\n"
    yield "notebook", "\x01eca062 4 i 211 ccccb dpa 061\nslug/\n\x02Headline =\n\ntext\n" + fill("# note\n", n) + "\x03131137 GMT Nov 13\n"
    yield "keywords", "\x01eca062 4 i 211 ccccb dpa 061\n" + fill("/a/b/", n) + "/\n\x02Headline =\n\ntext\n\x03\n"
def text_shapes(n):
    yield "lowercase-lines", "Headline\n\nA first line of more than forty characters, unfinished\n" + fill("word\n", n)
    yield "lowercase-paragraphs", "Headline\n\nA first line of more than forty characters, unfinished\n\n" + fill("word\n\n", n)
    yield "wrapped", "Headline\n\n" + fill("x" * 69 + "\n", n)
    yield "one-line", fill("word ", n)
    yield "dates", "Headline\n\n" + fill("Nov 13, 2017. ", n)
def ninjs_shapes(n):
    yield "deep-arrays", '{"headline":"h","body_text":"t","x":' + "[" * (n // 2) + "]" * (n // 2) + "}"
    yield "many-keys", '{"headline":"h","body_text":"t",' + ",".join('"k%d":1' % i for i in range(n // 10)) + "}"
    yield "long-string-escapes", '{"headline":"h","body_text":"' + fill("\\u00e9", n) + '"}'
    yield "html-body", '{"headline":"h","body_html":"' + fill("<p>word</p>", n) + '"}'
    yield "many-paragraphs", '{"headline":"h","body_text":"' + fill("word\\n", n) + '"}'
    yield "html-attrs", '{"headline":"h","body_html":"<p ' + " ".join("a%d=x" % i for i in range(n // 10)) + '>word.</p>"}'
def xml_shapes(n, root):
    yield "deep", "<?xml version='1.0'?>" + root[0] + fill("<p>", n // 2) + root[1]
    yield "many-paragraphs", "<?xml version='1.0'?>" + root[0] + fill("<p>word word</p>", n) + root[1]
    yield "many-attrs", "<?xml version='1.0'?>" + root[0] + "<p " + " ".join('a%d="x"' % i for i in range(n // 10)) + ">x</p>" + root[1]
    yield "entities", "<?xml version='1.0'?>" + root[0] + "<p>" + fill("&amp;&#233;", n) + "</p>" + root[1]
def html_shapes(n):
    yield "many-paragraphs", "<html><body><h1>T</h1>" + fill("<p>word word word.</p>", n) + "</body></html>"
    yield "deep", "<html><body><h1>T</h1>" + fill("<div>", n) + "x</body></html>"
    yield "links", "<html><body><h1>T</h1>" + fill("<a href=x>l</a> ", n) + "</body></html>"
    yield "one-p", "<html><body><h1>T</h1><p>" + fill("word ", n) + "</p></body></html>"
    yield "lis", "<html><body><h1>T</h1><ul>" + fill("<li>item</li>", n) + "</ul></body></html>"
def html_attr_shapes(n):
    attrs = " ".join("a%d=x" % i for i in range(n // 10))
    yield "many-attrs", "<html><body><h1>T</h1><p " + attrs + ">word word.</p></body></html>"
nitf = ("<nitf><head><title>T</title></head><body><body.head><hedline><hl1>H</hl1></hedline></body.head><body.content>", "</body.content></body></nitf>")
g2 = ("<newsItem xmlns='http://iptc.org/std/nar/2006-10-01/'><contentSet><inlineXML><html xmlns='http://www.w3.org/1999/xhtml'><body>", "</body></html></inlineXML></contentSet></newsItem>")
n12 = ("<NewsML><NewsItem><NewsComponent><ContentItem><DataContent><nitf><body><body.content>", "</body.content></body></nitf></DataContent></ContentItem></NewsComponent></NewsItem></NewsML>")
families = {
    "email": email_shapes, "anpa-1312": anpa_shapes, "iptc7901": iptc_shapes, "text": text_shapes, "ninjs": ninjs_shapes,
    "nitf": lambda n: xml_shapes(n, nitf), "newsml-g2": lambda n: xml_shapes(n, g2), "newsml-1.2": lambda n: xml_shapes(n, n12),
    "html": lambda n: list(html_shapes(n)) + list(html_attr_shapes(n)),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fuzz", default=".build/release/copydesk-fuzz")
    parser.add_argument("--out", default="/tmp/copydesk-worst-cases")
    parser.add_argument("--format", action="append")
    args = parser.parse_args()
    sizes = (16, 64, 256)
    print("| format | shape | 16 KiB ms CPU | 64 KiB | 256 KiB | 256/64 |")
    print("|---|---|---:|---:|---:|---:|")
    for family, generate in families.items():
        if args.format and family not in args.format:
            continue
        folder = os.path.join(args.out, family)
        os.makedirs(folder, exist_ok=True)
        files = {}
        for kib in sizes:
            for name, text in generate(kib * 1024):
                path = os.path.join(folder, "%s-%03d.txt" % (name, kib))
                with open(path, "wb") as handle:
                    handle.write(text.encode("utf-8"))
                files.setdefault(name, []).append(path)
        command = [args.fuzz, "--format", family]
        for paths in files.values():
            for path in paths:
                command += ["--replay", path] * 3
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        best = {}
        for line in output.splitlines():
            match = re.match(r"\S+ (\S+) \d+ bytes: ([0-9.]+) ms CPU", line)
            if match:
                path, ms = match.group(1), float(match.group(2))
                best[path] = min(best.get(path, ms), ms)
        for name, paths in files.items():
            times = [best.get(path, float("nan")) for path in paths]
            ratio = times[2] / times[1] if times[1] > 0 else float("nan")
            print("| %s | %s | %.1f | %.1f | %.1f | %.1f |" % (family, name, times[0], times[1], times[2], ratio))

if __name__ == "__main__":
    main()
