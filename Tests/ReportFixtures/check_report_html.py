"""Checks a report page as a browser and a reader meet it (used by EndToEndTests/ReportHTMLTests).

check_report_html.py parse PAGE.html  -> parses with html5lib in strict mode (a parse error fails), checks that
    nothing loads from outside and no script runs, and prints one line per chart: its label and the number of
    drawn marks (points, bars, reference lines).
check_report_html.py png SHOT.png     -> decodes the PNG (zlib, no imaging library) and prints its size, the
    share of pixels that are not white and the number of distinct colours.
"""
import struct
import sys
import zlib

import html5lib

SVG = "{http://www.w3.org/2000/svg}"
HTML = "{http://www.w3.org/1999/xhtml}"


def parse(path):
    with open(path, "rb") as f:
        document = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True).parse(f)
    for element in document.iter():
        tag = element.tag
        if tag in (HTML + "script", HTML + "link", HTML + "img", HTML + "iframe", HTML + "object"):
            sys.exit("external or active element: " + tag)
        for name, value in element.attrib.items():
            if name in ("src", "href") or name.startswith("on"):
                sys.exit("attribute %s=%r on %s" % (name, value, tag))
            if "url(" in value:
                sys.exit("a url() in %s" % tag)
    style = "".join(e.text or "" for e in document.iter(HTML + "style"))
    if "@page { size: A4" not in style:
        sys.exit("no A4 page size")
    if "url(" in style or "@import" in style:
        sys.exit("the style loads something")
    title = document.find(".//" + HTML + "title").text
    print("title", title)
    for svg in document.iter(SVG + "svg"):
        marks = len(svg.findall(SVG + "circle")) + len(svg.findall(SVG + "rect")) - 1
        objectives = len([l for l in svg.findall(SVG + "line") if l.get("class") == "objective"])
        print("chart", svg.get("aria-label"), "marks", marks, "objectives", objectives)


def png(path):
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and interlace == 0 and colour in (2, 6), header
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    previous = bytearray(stride)
    coloured, colours, pos = 0, set(), 0
    for _ in range(height):
        kind = raw[pos]
        line = bytearray(raw[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = previous[i]
            c = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for x in range(0, stride, channels * 4):
            pixel = bytes(line[x:x + 3])
            colours.add(pixel)
            if pixel != b"\xff\xff\xff":
                coloured += 1
        previous = line
    print("size", width, height)
    print("coloured %.4f" % (coloured / (width * height / 4)))
    print("colours", len(colours))


if __name__ == "__main__":
    {"parse": parse, "png": png}[sys.argv[1]](sys.argv[2])
