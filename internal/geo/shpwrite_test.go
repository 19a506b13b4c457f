package geo

import (
	"bytes"
	"encoding/binary"
	"math"

	"github.com/paulmach/orb"
)

// Test-only writers producing minimal shapefiles and dBase files, used for
// synthetic cases and fuzz seeds.

// shpRecord is one shape: for type 1 a single point in parts[0][0]; for
// types 3/5 one part per slice; for 8 all points in parts[0].
type shpRecord struct {
	null  bool
	parts [][]orb.Point
}

func buildSHP(shapeType int32, recs []shpRecord) []byte {
	var body bytes.Buffer
	le := binary.LittleEndian
	for i, r := range recs {
		var c bytes.Buffer
		switch {
		case r.null:
			binary.Write(&c, le, int32(0))
		case shapeType == shpPoint:
			binary.Write(&c, le, shapeType)
			binary.Write(&c, le, r.parts[0][0][0])
			binary.Write(&c, le, r.parts[0][0][1])
		case shapeType == shpMultiPoint:
			binary.Write(&c, le, shapeType)
			writeBox(&c, r.parts)
			binary.Write(&c, le, int32(len(r.parts[0])))
			for _, p := range r.parts[0] {
				binary.Write(&c, le, p[0])
				binary.Write(&c, le, p[1])
			}
		default:
			binary.Write(&c, le, shapeType)
			writeBox(&c, r.parts)
			n := 0
			for _, p := range r.parts {
				n += len(p)
			}
			binary.Write(&c, le, int32(len(r.parts)))
			binary.Write(&c, le, int32(n))
			off := 0
			for _, p := range r.parts {
				binary.Write(&c, le, int32(off))
				off += len(p)
			}
			for _, part := range r.parts {
				for _, p := range part {
					binary.Write(&c, le, p[0])
					binary.Write(&c, le, p[1])
				}
			}
		}
		binary.Write(&body, binary.BigEndian, int32(i+1))
		binary.Write(&body, binary.BigEndian, int32(c.Len()/2))
		body.Write(c.Bytes())
	}
	var h bytes.Buffer
	binary.Write(&h, binary.BigEndian, int32(9994))
	h.Write(make([]byte, 20))
	binary.Write(&h, binary.BigEndian, int32((100+body.Len())/2))
	binary.Write(&h, le, int32(1000))
	binary.Write(&h, le, shapeType)
	h.Write(make([]byte, 64))
	h.Write(body.Bytes())
	return h.Bytes()
}

func writeBox(c *bytes.Buffer, parts [][]orb.Point) {
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for _, p := range parts {
		for _, q := range p {
			b = b.Extend(q)
		}
	}
	for _, v := range []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
		binary.Write(c, binary.LittleEndian, v)
	}
}

type dbfField struct {
	name   string
	typ    byte
	length int
}

// buildDBF writes a dBase III file; values are raw field bytes (padded).
func buildDBF(fields []dbfField, rows [][]string) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	recLen := 1
	for _, f := range fields {
		recLen += f.length
	}
	hdrLen := 32 + 32*len(fields) + 1
	b.WriteByte(3)
	b.Write([]byte{124, 1, 1})
	binary.Write(&b, le, uint32(len(rows)))
	binary.Write(&b, le, uint16(hdrLen))
	binary.Write(&b, le, uint16(recLen))
	b.Write(make([]byte, 20))
	for _, f := range fields {
		name := make([]byte, 11)
		copy(name, f.name)
		b.Write(name)
		b.WriteByte(f.typ)
		b.Write(make([]byte, 4))
		b.WriteByte(byte(f.length))
		b.Write(make([]byte, 15))
	}
	b.WriteByte(0x0D)
	for _, r := range rows {
		b.WriteByte(' ')
		for i, f := range fields {
			v := []byte(r[i])
			if len(v) > f.length {
				v = v[:f.length]
			}
			b.Write(v)
			b.Write(bytes.Repeat([]byte{' '}, f.length-len(v)))
		}
	}
	b.WriteByte(0x1A)
	return b.Bytes()
}
