// Package mediatest makes image files for tests of the image library and
// of the pages and API that take uploads.
package mediatest

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
)

// UniformPNG is a valid PNG of w × h pixels of one colour, at 8 or 16
// bits a channel, with an alpha channel. It is written row by row, so a
// picture that would take gigabytes once decoded costs the test only its
// compressed size: 6000 × 6600 at 16 bits is about 300 KB on disk and
// 317 MB decoded.
func UniformPNG(w, h, bits int) []byte {
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(kind string, data []byte) {
		_ = binary.Write(&out, binary.BigEndian, uint32(len(data))) // #nosec G115 -- test images are far below 4 GB
		out.WriteString(kind)
		out.Write(data)
		_ = binary.Write(&out, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(kind), data...)))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w)) // #nosec G115 -- a test's width, far below 2³²
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h)) // #nosec G115 -- a test's height, far below 2³²
	ihdr[8], ihdr[9] = byte(bits), 6                // #nosec G115 -- 8 or 16; 6 is truecolour with alpha
	chunk("IHDR", ihdr)
	row := make([]byte, 1+w*4*bits/8) // filter byte "none", then the pixels
	for i := 1; i < len(row); i++ {
		row[i] = 0xFF // opaque white
	}
	var idat bytes.Buffer
	z, _ := zlib.NewWriterLevel(&idat, zlib.DefaultCompression)
	for range h {
		_, _ = z.Write(row) // a bytes.Buffer does not fail
	}
	_ = z.Close()
	chunk("IDAT", idat.Bytes())
	chunk("IEND", nil)
	return out.Bytes()
}
