package kb

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func makeDOCX(t testing.TB, body, title string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("word/document.xml")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>%s</w:body></w:document>`, body)
	if title != "" {
		w, _ = zw.Create("docProps/core.xml")
		fmt.Fprintf(w, `<cp:coreProperties xmlns:cp="x" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>%s</dc:title></cp:coreProperties>`, title)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func makePDF(content string, flate bool) []byte {
	stream := []byte(content)
	dict := fmt.Sprintf("/Length %d", len(stream))
	if flate {
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		zw.Write(stream)
		zw.Close()
		stream = z.Bytes()
		dict = fmt.Sprintf("/Length %d /Filter /FlateDecode", len(stream))
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")
	b.WriteString("2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n")
	b.WriteString("3 0 obj\n<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>\nendobj\n")
	fmt.Fprintf(&b, "4 0 obj\n<< %s >>\nstream\n", dict)
	b.Write(stream)
	b.WriteString("\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
	return b.Bytes()
}

func TestExtract(t *testing.T) {
	cases := []struct {
		name  string
		data  []byte
		title string
		want  []string
		not   []string
	}{
		{"a.txt", []byte("\xef\xbb\xbfLa prévention\r\n\r\n\r\nde la délinquance"), "", []string{"La prévention\n\nde la délinquance"}, nil},
		{"latin1.txt", []byte("pr\xe9vention"), "", []string{"prévention"}, nil},
		{"a.md", []byte("# Safe streets\n\nSee [the toolkit](http://x.test) and **bold** text.\n- item one"), "Safe streets", []string{"Safe streets", "the toolkit", "bold text", "item one"}, []string{"http://x.test", "**", "# "}},
		{"a.html", []byte(`<html><head><title>Éclairage &amp; sécurité</title><style>p{color:red}</style><script>alert("x<p>")</script></head><body><!-- hidden --><p>Première&nbsp;ligne</p><p>Second<br>line</p></body></html>`), "Éclairage & sécurité",
			[]string{"Première ligne", "Second\nline"}, []string{"alert", "color", "hidden", "<p>"}},
		{"a.docx", makeDOCX(t, `<w:p><w:r><w:t>Street</w:t></w:r><w:r><w:t xml:space="preserve"> lighting</w:t></w:r></w:p><w:p><w:r><w:t>Second &amp; last</w:t></w:r></w:p>`, "Report"), "Report", []string{"Street lighting\nSecond & last"}, nil},
		{"a.pdf", makePDF("BT /F1 12 Tf 72 712 Td (Street lighting \\(review\\)) Tj 0 -14 Td [(Crime fell) -250 (in treated areas)] TJ ET", false), "", []string{"Street lighting (review)", "Crime fell in treated areas"}, nil},
		{"b.pdf", makePDF("BT /F1 12 Tf 72 712 Td (Pr\\351vention de la d\\351linquance) Tj T* <FEFF00E9006C00E8> Tj ET", true), "", []string{"Prévention de la délinquance", "élè"}, nil},
	}
	for _, c := range cases {
		x, err := Extract(c.name, c.data)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if x.Title != c.title {
			t.Errorf("%s: title %q, want %q", c.name, x.Title, c.title)
		}
		for _, w := range c.want {
			if !strings.Contains(x.Text, w) {
				t.Errorf("%s: text %q lacks %q", c.name, x.Text, w)
			}
		}
		for _, w := range c.not {
			if strings.Contains(x.Text, w) {
				t.Errorf("%s: text %q contains %q", c.name, x.Text, w)
			}
		}
	}
}

func TestExtractUnsupported(t *testing.T) {
	cases := map[string][]byte{
		"a.odt":     []byte("x"),
		"empty.txt": []byte(" \n "),
		"bad.docx":  []byte("not a zip"),
		"bad.pdf":   []byte("not a pdf"),
		"scan.pdf":  makePDF("q 100 0 0 100 0 0 cm /Im1 Do Q", false),
		"cid.pdf":   makePDF("BT /F1 12 Tf <0003001200150011> Tj ET", false),
		"crypt.pdf": append(makePDF("BT (x) Tj ET", false), "/Encrypt 9 0 R"...),
		"noword.docx": func() []byte {
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			zw.Create("content.xml")
			zw.Close()
			return buf.Bytes()
		}(),
	}
	for name, data := range cases {
		_, err := Extract(name, data)
		if !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: err %v, want ErrUnsupported", name, err)
		} else if strings.HasSuffix(name, ".pdf") && !strings.Contains(err.Error(), "pdf not supported") {
			t.Errorf("%s: %v, want it to say pdf not supported", name, err)
		}
	}
}

func fuzzExtract(f *testing.F, name string, seeds ...[]byte) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := Extract(name, data)
		if err != nil && !errors.Is(err, ErrUnsupported) {
			t.Fatalf("error not wrapping ErrUnsupported: %v", err)
		}
		if err == nil && strings.TrimSpace(x.Text) == "" {
			t.Fatal("no error and no text")
		}
		if len(x.Text) > MaxText {
			t.Fatal("text longer than MaxText")
		}
	})
}

func FuzzExtractTXT(f *testing.F) { fuzzExtract(f, "f.txt", []byte("hello"), []byte("\xff\xfe")) }
func FuzzExtractMD(f *testing.F)  { fuzzExtract(f, "f.md", []byte("# T\n[a](b) **c**")) }
func FuzzExtractHTML(f *testing.F) {
	fuzzExtract(f, "f.html", []byte("<title>t</title><script>x"), []byte("<!--"), []byte("<p a='>'>x</p>"))
}
func FuzzExtractDOCX(f *testing.F) {
	fuzzExtract(f, "f.docx", makeDOCX(f, `<w:p><w:r><w:t>x</w:t></w:r></w:p>`, "t"), []byte("PK\x03\x04"))
}
func FuzzExtractPDF(f *testing.F) {
	fuzzExtract(f, "f.pdf", makePDF("BT (Hello) Tj ET", false), makePDF("BT [(a) 3 (b)] TJ ET", true), []byte("%PDF-1.4 << >>stream\n(\\"))
}
