package engine

import (
	"syscall"
	"unsafe"
)

// madvPopulateWrite is MADV_POPULATE_WRITE (Linux 5.14): fault pages in
// for writing, all at once.
const madvPopulateWrite = 23

// prefault maps in the memory of s, which is about to be written, in one
// system call: faulting its pages in one by one costs several
// microseconds a page on a virtual machine, milliseconds for the 9 MB of
// the dense DFA. Where the kernel cannot, the pages fault in as written.
func prefault[T any](s []T) {
	if len(s) == 0 {
		return
	}
	page := uintptr(syscall.Getpagesize())
	start := uintptr(unsafe.Pointer(&s[0]))
	end := start + uintptr(len(s))*unsafe.Sizeof(s[0])
	from, to := (start+page-1)&^(page-1), end&^(page-1)
	if to > from {
		syscall.Syscall(syscall.SYS_MADVISE, from, to-from, madvPopulateWrite)
	}
}
