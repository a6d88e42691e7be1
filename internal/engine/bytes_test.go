package engine

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

func TestLastIndexByte(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 70 {
		for range 200 {
			s := make([]byte, n)
			for i := range s {
				// Few distinct bytes, so that c occurs at every offset,
				// with its neighbours in a word one above and below it.
				s[i] = []byte{'\n', '\n' + 1, '\n' - 1, 0, 0xff, 'a'}[r.IntN(6)]
			}
			for _, c := range []byte{'\n', 0, 0xff, 'a', 'b'} {
				if got, want := lastIndexByte(s, c), bytes.LastIndexByte(s, c); got != want {
					t.Fatalf("lastIndexByte(%q, %q) = %d, want %d", s, c, got, want)
				}
			}
		}
	}
}

func FuzzLastIndexByte(f *testing.F) {
	f.Add([]byte("one\ntwo\r\nthree"), byte('\n'))
	f.Fuzz(func(t *testing.T, s []byte, c byte) {
		if got, want := lastIndexByte(s, c), bytes.LastIndexByte(s, c); got != want {
			t.Fatalf("lastIndexByte(%q, %q) = %d, want %d", s, c, got, want)
		}
	})
}

// BenchmarkLastIndexByte looks back across a line of 2 KB, next to the
// standard library doing the same.
func BenchmarkLastIndexByte(b *testing.B) {
	s := append([]byte{'\n'}, bytes.Repeat([]byte("progress 42% "), 160)...)
	for _, bc := range []struct {
		name string
		f    func([]byte, byte) int
	}{{"engine", lastIndexByte}, {"bytes", bytes.LastIndexByte}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			for b.Loop() {
				if bc.f(s, '\n') != 0 {
					b.Fatal("wrong index")
				}
			}
		})
	}
}
