package open311

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
)

// Limits of a photo attached to a report made in the browser.
const (
	MaxPhotoBytes  = 8 << 20    // bytes of the uploaded file
	MaxPhotoPixels = 40_000_000 // width × height (a decompression bomb stops here)
	MaxPhotoSide   = 12_000     // pixels, either side
	PhotoQuality   = 85         // JPEG quality of the re-encoded photo
)

// Photo is an uploaded photo after re-encoding: only pixels survive, so
// EXIF (GPS position, camera, time), XMP, IPTC, ICC profiles, comments and
// PNG text chunks are gone.
type Photo struct {
	MIME          string // image/jpeg or image/png
	Width, Height int
	Data          []byte
}

// ErrPhotoType is returned for a file that is neither JPEG nor PNG.
var ErrPhotoType = errors.New("the photo must be a JPEG or PNG image")

// CleanPhoto checks an uploaded photo (type by its first bytes, not its
// name; size; dimensions before decoding) and re-encodes it from its pixels
// alone: JPEG stays JPEG (quality PhotoQuality), PNG stays PNG. The error
// says what is wrong in words a resident understands.
func CleanPhoto(r io.Reader) (Photo, error) {
	return cleanPhoto(r, MaxPhotoBytes, MaxPhotoPixels)
}

func cleanPhoto(r io.Reader, maxBytes int, maxPixels int64) (Photo, error) {
	data, err := io.ReadAll(io.LimitReader(r, int64(maxBytes)+1))
	if err != nil {
		return Photo{}, fmt.Errorf("the photo could not be read: %w", err)
	}
	if len(data) > maxBytes {
		return Photo{}, fmt.Errorf("the photo is larger than %d MB", maxBytes>>20)
	}
	var mime string
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		mime = "image/jpeg"
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		mime = "image/png"
	default:
		return Photo{}, ErrPhotoType
	}
	var cfg image.Config
	if mime == "image/jpeg" {
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(data))
	} else {
		cfg, err = png.DecodeConfig(bytes.NewReader(data))
	}
	if err != nil {
		return Photo{}, fmt.Errorf("the photo is damaged or not a real image (%v)", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxPhotoSide || cfg.Height > MaxPhotoSide || int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return Photo{}, fmt.Errorf("the photo is %d×%d pixels; at most %d pixels a side and %.1f megapixels", cfg.Width, cfg.Height, MaxPhotoSide, float64(maxPixels)/1e6)
	}
	var img image.Image
	if mime == "image/jpeg" {
		img, err = jpeg.Decode(bytes.NewReader(data))
	} else {
		img, err = png.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return Photo{}, fmt.Errorf("the photo is damaged or not a real image (%v)", err)
	}
	var out bytes.Buffer
	if mime == "image/jpeg" {
		err = jpeg.Encode(&out, img, &jpeg.Options{Quality: PhotoQuality})
	} else {
		err = png.Encode(&out, img)
	}
	if err != nil {
		return Photo{}, fmt.Errorf("the photo could not be re-encoded: %w", err)
	}
	b := img.Bounds()
	return Photo{MIME: mime, Width: b.Dx(), Height: b.Dy(), Data: out.Bytes()}, nil
}
