//go:build !purego

package engine

import (
	"bytes"
	"testing"
)

func TestStripShuffle(t *testing.T) {
	for m, sh := range stripShuffle {
		var got []byte
		for _, i := range sh {
			if i&0x80 == 0 {
				got = append(got, i)
			}
		}
		var want []byte
		for i := range 8 {
			if m&(1<<i) != 0 {
				want = append(want, byte(i))
			}
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("mask %08b: shuffle %v, want the bytes %v first", m, sh, want)
		}
	}
}
