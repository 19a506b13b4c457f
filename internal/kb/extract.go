package kb

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrUnsupported is returned (wrapped, with the reason) for files whose
// text cannot be extracted.
var ErrUnsupported = errors.New("unsupported")

// MaxText is the most text kept from one document (bytes); longer text is
// cut at a word boundary.
const MaxText = 4 << 20

// maxInflate bounds what one compressed part (a docx entry, a PDF stream)
// may expand to: protection against zip bombs.
const maxInflate = 64 << 20

// Extracted is the text of a document.
type Extracted struct {
	Format string // txt, md, html, docx, pdf
	Title  string // from the document when it has one (<title>, "# ", docx core properties)
	Text   string
}

// Formats lists the extensions Extract reads.
func Formats() []string {
	return []string{".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf"}
}

// Extract returns the text of the document named name (the extension
// picks the format) with content data. The error wraps ErrUnsupported with
// the reason when the format is unknown or the text cannot be read (e.g. a
// scanned PDF without a text layer).
func Extract(name string, data []byte) (Extracted, error) {
	ext := strings.ToLower(path.Ext(name))
	var x Extracted
	var err error
	switch ext {
	case ".txt":
		x = Extracted{Format: "txt", Text: decodeText(data)}
	case ".md", ".markdown":
		x = extractMarkdown(decodeText(data))
	case ".html", ".htm":
		x = extractHTML(decodeText(data))
	case ".docx":
		x, err = extractDOCX(data)
	case ".pdf":
		x, err = extractPDF(data)
	default:
		return x, fmt.Errorf("%w: %q files are not read (known: %s)", ErrUnsupported, ext, strings.Join(Formats(), " "))
	}
	if err != nil {
		return x, err
	}
	x.Text = clip(normalizeSpace(x.Text), MaxText)
	x.Title = clip(normalizeSpace(x.Title), 300)
	if strings.TrimSpace(x.Text) == "" {
		return x, fmt.Errorf("%w: no text found", ErrUnsupported)
	}
	return x, nil
}

// decodeText returns data as UTF-8: a BOM is dropped; bytes that are not
// UTF-8 are read as Windows-1252/Latin-1.
func decodeText(data []byte) string {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if utf8.Valid(data) {
		return string(data)
	}
	var b strings.Builder
	for _, c := range data {
		b.WriteRune(rune(c))
	}
	return b.String()
}

// normalizeSpace trims lines, drops control characters and collapses runs
// of blank lines and spaces.
func normalizeSpace(s string) string {
	var out []string
	blank := false
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		line = strings.Join(strings.FieldsFunc(line, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError }), " ")
		if line == "" {
			if !blank && len(out) > 0 {
				out = append(out, "")
			}
			blank = true
			continue
		}
		blank = false
		out = append(out, line)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	if i := strings.LastIndexAny(s, " \n"); i > n/2 {
		s = s[:i]
	}
	return strings.ToValidUTF8(s, "")
}

var mdMarkup = regexp.MustCompile("(?m)^\\s{0,3}(#{1,6}|>|[-*+]|\\d+\\.)\\s+|[*_`]{1,3}|!?\\[([^\\]]*)\\]\\([^)]*\\)")

func extractMarkdown(s string) Extracted {
	x := Extracted{Format: "md"}
	for _, line := range strings.Split(s, "\n") {
		if t, ok := strings.CutPrefix(strings.TrimSpace(line), "# "); ok {
			x.Title = t
			break
		}
	}
	x.Text = mdMarkup.ReplaceAllStringFunc(s, func(m string) string {
		if sub := mdMarkup.FindStringSubmatch(m); sub[2] != "" {
			return sub[2] // link text
		}
		return ""
	})
	x.Title = mdMarkup.ReplaceAllString(x.Title, "")
	return x
}

// blockTags end a line of text.
var blockTag = regexp.MustCompile(`^(p|div|br|li|tr|h[1-6]|section|article|header|footer|table|ul|ol|blockquote|pre|title|td|th|dd|dt)$`)

// extractHTML strips tags, comments, scripts and styles and decodes
// entities. It is a tolerant scanner, not a parser: it never fails.
func extractHTML(s string) Extracted {
	x := Extracted{Format: "html"}
	var b, title strings.Builder
	inTitle := false
	for i := 0; i < len(s); {
		if s[i] != '<' {
			j := strings.IndexByte(s[i:], '<')
			if j < 0 {
				j = len(s) - i
			}
			txt := html.UnescapeString(s[i : i+j])
			b.WriteString(txt)
			if inTitle {
				title.WriteString(txt)
			}
			i += j
			continue
		}
		if strings.HasPrefix(s[i:], "<!--") {
			end := strings.Index(s[i+4:], "-->")
			if end < 0 {
				break
			}
			i += 4 + end + 3
			continue
		}
		end := strings.IndexByte(s[i:], '>')
		if end < 0 {
			break
		}
		tag := s[i+1 : i+end]
		i += end + 1
		closing := strings.HasPrefix(tag, "/")
		name := strings.ToLower(strings.TrimLeft(tag, "/!?"))
		if k := strings.IndexFunc(name, func(r rune) bool { return unicode.IsSpace(r) || r == '/' }); k >= 0 {
			name = name[:k]
		}
		switch {
		case !closing && (name == "script" || name == "style" || name == "noscript" || name == "template" || name == "svg"):
			// skip to the matching end tag
			low := strings.ToLower(s[i:])
			k := strings.Index(low, "</"+name)
			if k < 0 {
				i = len(s)
				continue
			}
			i += k
		case name == "title":
			inTitle = !closing
			b.WriteString("\n")
		case blockTag.MatchString(name):
			b.WriteString("\n")
		case name == "td" || name == "th":
			b.WriteString("\t")
		default:
			b.WriteString(" ")
		}
	}
	x.Text, x.Title = b.String(), title.String()
	return x
}

func extractDOCX(data []byte) (Extracted, error) {
	x := Extracted{Format: "docx"}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return x, fmt.Errorf("%w: not a .docx (zip) file: %v", ErrUnsupported, err)
	}
	read := func(name string) ([]byte, bool, error) {
		for _, f := range zr.File {
			if f.Name != name {
				continue
			}
			rc, err := f.Open()
			if err != nil {
				return nil, true, err
			}
			defer rc.Close()
			b, err := io.ReadAll(io.LimitReader(rc, maxInflate+1))
			if err == nil && len(b) > maxInflate {
				err = fmt.Errorf("%s expands to more than %d MiB", name, maxInflate>>20)
			}
			return b, true, err
		}
		return nil, false, nil
	}
	doc, ok, err := read("word/document.xml")
	if err != nil {
		return x, fmt.Errorf("%w: word/document.xml: %v", ErrUnsupported, err)
	}
	if !ok {
		return x, fmt.Errorf("%w: no word/document.xml in the archive (not a Word document)", ErrUnsupported)
	}
	var b strings.Builder
	dec := xml.NewDecoder(bytes.NewReader(doc))
	dec.Strict = false
	inText := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return x, fmt.Errorf("%w: word/document.xml: %v", ErrUnsupported, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "t":
				inText = true
			case "tab":
				b.WriteString("\t")
			case "br", "cr":
				b.WriteString("\n")
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				b.WriteString("\n")
			}
		case xml.CharData:
			if inText {
				b.Write(t)
			}
		}
	}
	x.Text = b.String()
	if core, ok, err := read("docProps/core.xml"); ok && err == nil {
		var props struct {
			Title string `xml:"title"`
		}
		if xml.Unmarshal(core, &props) == nil {
			x.Title = props.Title
		}
	}
	return x, nil
}

// PDF: only what the standard library can do robustly. Content streams
// that are uncompressed or Flate-compressed are scanned for the text
// operators Tj, TJ, ' and "; strings are read as PDFDocEncoding/Latin-1.
// Fonts with their own encodings (CID fonts, subsets with custom maps),
// object streams and encryption are not decoded: such files are reported
// as unsupported rather than imported as garbage.
var (
	pdfStream = regexp.MustCompile(`(?s)<<((?:[^<>]|<<(?:[^<>]|<<[^<>]*>>)*>>|<[0-9A-Fa-f\s]*>)*)>>\s*stream\r?\n`)
	pdfFilter = regexp.MustCompile(`/Filter\s*(\[\s*)?/(\w+)`)
)

func extractPDF(data []byte) (Extracted, error) {
	x := Extracted{Format: "pdf"}
	if !bytes.HasPrefix(bytes.TrimLeft(data, "\x00\t\r\n "), []byte("%PDF-")) {
		return x, fmt.Errorf("%w: pdf not supported: not a PDF file", ErrUnsupported)
	}
	if bytes.Contains(data, []byte("/Encrypt")) {
		return x, fmt.Errorf("%w: pdf not supported: the file is encrypted", ErrUnsupported)
	}
	var b strings.Builder
	inflated := 0
	for _, m := range pdfStream.FindAllSubmatchIndex(data, -1) {
		dict := data[m[2]:m[3]]
		start := m[1]
		end := bytes.Index(data[start:], []byte("endstream"))
		if end < 0 {
			break
		}
		raw := data[start : start+end]
		if bytes.Contains(dict, []byte("/Subtype")) && (bytes.Contains(dict, []byte("/Image")) || bytes.Contains(dict, []byte("/Type1C")) || bytes.Contains(dict, []byte("/CIDFontType0C"))) {
			continue
		}
		if bytes.Contains(dict, []byte("/Length1")) || bytes.Contains(dict, []byte("/Type /XRef")) || bytes.Contains(dict, []byte("/Type/XRef")) || bytes.Contains(dict, []byte("/Type /ObjStm")) || bytes.Contains(dict, []byte("/Type/ObjStm")) {
			continue // embedded fonts, cross-reference and object streams
		}
		content := raw
		if f := pdfFilter.FindSubmatch(dict); f != nil {
			if string(f[2]) != "FlateDecode" || bytes.Contains(dict, []byte("/DecodeParms")) {
				continue
			}
			zr, err := zlib.NewReader(bytes.NewReader(raw))
			if err != nil {
				continue
			}
			content, err = io.ReadAll(io.LimitReader(zr, int64(maxInflate-inflated)+1))
			zr.Close()
			if len(content) == 0 && err != nil {
				continue
			}
			inflated += len(content)
			if inflated > maxInflate {
				return x, fmt.Errorf("%w: pdf not supported: streams expand to more than %d MiB", ErrUnsupported, maxInflate>>20)
			}
		}
		pdfText(content, &b)
	}
	text := b.String()
	letters, total := 0, 0
	for _, r := range text {
		if unicode.IsSpace(r) {
			continue
		}
		total++
		if unicode.IsLetter(r) {
			letters++
		}
	}
	if total == 0 {
		return x, fmt.Errorf("%w: pdf not supported: no text layer readable with the standard library (scanned, or compressed in object streams)", ErrUnsupported)
	}
	if float64(letters)/float64(total) < 0.6 {
		return x, fmt.Errorf("%w: pdf not supported: the text uses font encodings that cannot be decoded (%d%% letters)", ErrUnsupported, 100*letters/total)
	}
	x.Text = text
	return x, nil
}

// pdfText appends the strings shown by the text operators of content.
func pdfText(c []byte, b *strings.Builder) {
	var pending []string // strings since the last operator
	inArray := false
	for i := 0; i < len(c); {
		ch := c[i]
		switch {
		case ch == '(':
			s, n := pdfLiteral(c[i:])
			pending = append(pending, s)
			i += n
		case ch == '<' && i+1 < len(c) && c[i+1] != '<':
			end := bytes.IndexByte(c[i:], '>')
			if end < 0 {
				return
			}
			pending = append(pending, pdfHex(c[i+1:i+end]))
			i += end + 1
		case ch == '[':
			inArray = true
			pending = pending[:0]
			i++
		case ch == ']':
			inArray = false
			i++
		case inArray && (ch == '-' || ch >= '0' && ch <= '9' || ch == '.'):
			// a kerning adjustment in a TJ array: a large negative one is a word gap
			j := i + 1
			for j < len(c) && (c[j] >= '0' && c[j] <= '9' || c[j] == '.') {
				j++
			}
			if v, err := strconv.ParseFloat(string(c[i:j]), 64); err == nil && v < -150 {
				pending = append(pending, " ")
			}
			i = j
		case ch == '%':
			for i < len(c) && c[i] != '\n' && c[i] != '\r' {
				i++
			}
		case ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z' || ch == '\'' || ch == '"' || ch == '*':
			j := i
			for j < len(c) && (c[j] >= 'A' && c[j] <= 'Z' || c[j] >= 'a' && c[j] <= 'z' || c[j] == '\'' || c[j] == '"' || c[j] == '*') {
				j++
			}
			switch op := string(c[i:j]); op {
			case "Tj", "TJ", "'", "\"":
				if op == "'" || op == "\"" {
					b.WriteString("\n")
				}
				for _, s := range pending {
					b.WriteString(s)
				}
			case "Td", "TD", "T*", "Tm":
				b.WriteString("\n")
			case "ET":
				b.WriteString("\n")
			}
			if !inArray {
				pending = pending[:0]
			}
			i = j
		default:
			i++
		}
	}
}

// pdfLiteral reads a (string) at the start of c and returns it and the
// bytes consumed.
func pdfLiteral(c []byte) (string, int) {
	var out []byte
	depth := 0
	i := 0
	for ; i < len(c); i++ {
		ch := c[i]
		switch {
		case ch == '\\' && i+1 < len(c):
			i++
			switch e := c[i]; e {
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'b', 'f':
			case '\r', '\n':
			default:
				if e >= '0' && e <= '7' {
					v, k := 0, 0
					for k < 3 && i+k < len(c) && c[i+k] >= '0' && c[i+k] <= '7' {
						v = v*8 + int(c[i+k]-'0')
						k++
					}
					out = append(out, byte(v))
					i += k - 1
				} else {
					out = append(out, e)
				}
			}
		case ch == '(':
			if depth > 0 {
				out = append(out, ch)
			}
			depth++
		case ch == ')':
			depth--
			if depth == 0 {
				return latin1(out), i + 1
			}
			out = append(out, ch)
		default:
			out = append(out, ch)
		}
	}
	return latin1(out), i
}

func pdfHex(h []byte) string {
	var digits []byte
	for _, c := range h {
		if c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' {
			digits = append(digits, c)
		}
	}
	if len(digits)%2 == 1 {
		digits = append(digits, '0')
	}
	out := make([]byte, len(digits)/2)
	for i := range out {
		var v byte
		for _, c := range digits[2*i : 2*i+2] {
			v <<= 4
			switch {
			case c <= '9':
				v |= c - '0'
			case c >= 'a':
				v |= c - 'a' + 10
			default:
				v |= c - 'A' + 10
			}
		}
		out[i] = v
	}
	// UTF-16BE with a byte-order mark
	if len(out) >= 2 && out[0] == 0xfe && out[1] == 0xff {
		var rs []rune
		for i := 2; i+1 < len(out); i += 2 {
			rs = append(rs, rune(out[i])<<8|rune(out[i+1]))
		}
		return string(rs)
	}
	return latin1(out)
}

func latin1(b []byte) string {
	rs := make([]rune, len(b))
	for i, c := range b {
		rs[i] = rune(c)
	}
	return string(rs)
}
