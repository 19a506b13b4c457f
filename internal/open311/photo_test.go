package open311

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
)

// testImage is a small picture with some structure.
func testImage(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 90, 255})
		}
	}
	return img
}

// exifGPS is an APP1 Exif segment (big-endian TIFF) whose IFD0 points to
// a GPS IFD giving latitude 53°28'50" N ("N" ref, rationals) and a camera
// make "SECRETCAM".
func exifGPS() []byte {
	var t bytes.Buffer
	be := binary.BigEndian
	w16 := func(v uint16) { binary.Write(&t, be, v) }
	w32 := func(v uint32) { binary.Write(&t, be, v) }
	t.WriteString("MM")
	w16(42)
	w32(8) // IFD0 at 8
	// IFD0: 2 entries: Make (ASCII, 10 bytes at offset), GPSInfo pointer
	w16(2)
	const makeOff = 8 + 2 + 2*12 + 4 // after IFD0
	const gpsOff = makeOff + 10
	w16(0x010F)
	w16(2)
	w32(10)
	w32(makeOff)
	w16(0x8825)
	w16(4)
	w32(1)
	w32(gpsOff)
	w32(0) // no next IFD
	t.WriteString("SECRETCAM\x00")
	// GPS IFD: LatitudeRef "N", Latitude 3 rationals
	const latOff = gpsOff + 2 + 2*12 + 4
	w16(2)
	w16(0x0001)
	w16(2)
	w32(2)
	t.Write([]byte{'N', 0, 0, 0})
	w16(0x0002)
	w16(5)
	w32(3)
	w32(latOff)
	w32(0)
	for _, v := range []uint32{53, 1, 28, 1, 50, 1} {
		w32(v)
	}
	payload := append([]byte("Exif\x00\x00"), t.Bytes()...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	be.PutUint16(seg[2:], uint16(len(payload)+2))
	return append(seg, payload...)
}

// jpegWithExif encodes img and inserts the Exif segment and a comment
// right after the SOI marker, as cameras do.
func jpegWithExif(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	raw := b.Bytes()
	com := []byte{0xFF, 0xFE, 0, 0}
	text := "taken at 12 Acacia Avenue GPSSECRET"
	binary.BigEndian.PutUint16(com[2:], uint16(len(text)+2))
	out := append([]byte{}, raw[:2]...)
	out = append(out, exifGPS()...)
	out = append(out, com...)
	out = append(out, text...)
	return append(out, raw[2:]...)
}

func TestCleanPhotoStripsExifGPS(t *testing.T) {
	in := jpegWithExif(t, testImage(64, 48))
	// the input really carries the metadata, and is still a valid JPEG
	for _, want := range []string{"Exif\x00\x00", "SECRETCAM", "GPSSECRET"} {
		if !bytes.Contains(in, []byte(want)) {
			t.Fatalf("test input lacks %q", want)
		}
	}
	if _, err := jpeg.Decode(bytes.NewReader(in)); err != nil {
		t.Fatalf("test input is not a JPEG: %v", err)
	}
	p, err := CleanPhoto(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if p.MIME != "image/jpeg" || p.Width != 64 || p.Height != 48 {
		t.Fatalf("got %s %dx%d, want image/jpeg 64x48", p.MIME, p.Width, p.Height)
	}
	for _, gone := range []string{"Exif", "SECRETCAM", "GPSSECRET", "Acacia"} {
		if bytes.Contains(p.Data, []byte(gone)) {
			t.Errorf("the cleaned photo still contains %q", gone)
		}
	}
	// no APP1 (Exif/XMP), APP13 (IPTC), APP2 (ICC) nor COM segment is left
	for _, m := range jpegMarkers(t, p.Data) {
		if m == 0xE1 || m == 0xE2 || m == 0xED || m == 0xFE {
			t.Errorf("the cleaned photo has marker FF%02X", m)
		}
	}
	if _, err := jpeg.Decode(bytes.NewReader(p.Data)); err != nil {
		t.Errorf("the cleaned photo does not decode: %v", err)
	}
}

// jpegMarkers lists the segment markers before the scan data.
func jpegMarkers(t *testing.T, b []byte) []byte {
	var ms []byte
	i := 2
	for i+4 <= len(b) {
		if b[i] != 0xFF {
			t.Fatalf("bad JPEG structure at %d", i)
		}
		m := b[i+1]
		ms = append(ms, m)
		if m == 0xDA { // start of scan
			break
		}
		i += 2 + int(binary.BigEndian.Uint16(b[i+2:]))
	}
	return ms
}

func TestCleanPhotoPNGDropsTextChunks(t *testing.T) {
	var b bytes.Buffer
	if err := png.Encode(&b, testImage(20, 10)); err != nil {
		t.Fatal(err)
	}
	raw := b.Bytes()
	// insert a tEXt chunk after IHDR (8 + 25 bytes)
	data := []byte("Comment\x00home 53.4808,-2.2426")
	chunk := make([]byte, 8, 8+len(data)+4)
	binary.BigEndian.PutUint32(chunk, uint32(len(data)))
	copy(chunk[4:], "tEXt")
	chunk = append(chunk, data...)
	chunk = append(chunk, 0, 0, 0, 0) // the CRC, filled in below
	crc := pngCRC(chunk[4 : 8+len(data)])
	binary.BigEndian.PutUint32(chunk[8+len(data):], crc)
	in := append(append(append([]byte{}, raw[:33]...), chunk...), raw[33:]...)
	if _, err := png.Decode(bytes.NewReader(in)); err != nil {
		t.Fatalf("test input is not a PNG: %v", err)
	}
	p, err := CleanPhoto(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if p.MIME != "image/png" || bytes.Contains(p.Data, []byte("tEXt")) || bytes.Contains(p.Data, []byte("53.4808")) {
		t.Errorf("PNG not cleaned: %s, tEXt present %v", p.MIME, bytes.Contains(p.Data, []byte("tEXt")))
	}
}

func pngCRC(b []byte) uint32 {
	var table [256]uint32
	for i := range table {
		c := uint32(i)
		for k := 0; k < 8; k++ {
			if c&1 == 1 {
				c = 0xEDB88320 ^ (c >> 1)
			} else {
				c >>= 1
			}
		}
		table[i] = c
	}
	c := ^uint32(0)
	for _, x := range b {
		c = table[byte(c)^x] ^ (c >> 8)
	}
	return ^c
}

func TestCleanPhotoRejects(t *testing.T) {
	gif := []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")
	if _, err := CleanPhoto(bytes.NewReader(gif)); err != ErrPhotoType {
		t.Errorf("GIF: %v, want ErrPhotoType", err)
	}
	if _, err := CleanPhoto(strings.NewReader("<svg/>")); err != ErrPhotoType {
		t.Errorf("SVG: %v, want ErrPhotoType", err)
	}
	// truncated JPEG
	in := jpegWithExif(t, testImage(32, 32))
	if _, err := CleanPhoto(bytes.NewReader(in[:len(in)/2])); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("truncated JPEG: %v", err)
	}
	// too big
	big := append([]byte{0xFF, 0xD8, 0xFF}, make([]byte, MaxPhotoBytes)...)
	if _, err := CleanPhoto(bytes.NewReader(big)); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("oversized: %v", err)
	}
	// too many pixels (checked before decoding)
	var b bytes.Buffer
	png.Encode(&b, testImage(40, 30))
	if _, err := cleanPhoto(bytes.NewReader(b.Bytes()), MaxPhotoBytes, 1000); err == nil || !strings.Contains(err.Error(), "pixels") {
		t.Errorf("pixel limit: %v", err)
	}
}

// FuzzCleanPhoto feeds arbitrary bytes to the photo cleaner: it must never
// panic, and whatever it accepts must decode again as the type it names.
func FuzzCleanPhoto(f *testing.F) {
	var j, p bytes.Buffer
	jpeg.Encode(&j, testImage(8, 8), nil)
	png.Encode(&p, testImage(8, 8))
	f.Add(j.Bytes())
	f.Add(p.Bytes())
	f.Add(jpegWithExif(f, testImage(8, 8)))
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ph, err := cleanPhoto(bytes.NewReader(b), 1<<20, 1<<14)
		if err != nil {
			return
		}
		var derr error
		if ph.MIME == "image/jpeg" {
			_, derr = jpeg.Decode(bytes.NewReader(ph.Data))
		} else {
			_, derr = png.Decode(bytes.NewReader(ph.Data))
		}
		if derr != nil || ph.Width <= 0 || ph.Height <= 0 {
			t.Fatalf("accepted photo does not decode as %s: %v", ph.MIME, derr)
		}
	})
}
