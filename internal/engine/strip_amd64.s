//go:build !purego

#include "textflag.h"

#include "strip_defs.h"

// Write the chunk's first R14 bytes but those of R12 at DI, and move SI
// and DI past them.
#define COMPRESS \
	MOVQ $-1, BX \
	BZHIQ R14, BX, BX \
	ANDNQ BX, R12, BX \
	KMOVQ BX, K1 \
	VPCOMPRESSB Z0, K1, Z3 \
	VMOVDQU8 Z3, (DI) \
	POPCNTQ BX, BX \
	ADDQ BX, DI \
	ADDQ R14, SI

// func stripEscapes512(dst, src *byte, n int, crs bool) (read, written, stop, at int)
//
// stripEscapes with AVX-512. Sixty-four bytes at a time: a chunk with no escape
// and no '\r' is stored as it is; otherwise the escapes' bytes are marked
// in a mask, the others compressed into place (VPCOMPRESSB). An escape
// that does not end in the chunk starts the next one.
//
// Registers: SI, DI the source and destination; R8 the last chunk start
// with 65 bytes to read; Z0 the chunk, Z1 the chunk a byte further on;
// AX its escapes; R9, R13, DX the escapes followed by '[', '\n', ']'; R10
// its newlines; R11 the bytes that end a CSI sequence; R12 the bytes to
// drop; R14 how many of the chunk's bytes to write; BX, CX, R15 scratch.
TEXT ·stripEscapes512(SB), NOSPLIT, $16-64
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), R8
	// K7 keeps the '\r's looked for: all of them, or none.
	KXORQ K7, K7, K7
	MOVBLZX crs+24(FP), AX
	TESTQ AX, AX
	JZ 2(PC)
	KXNORQ K7, K7, K7
	MOVQ DI, dstBase-8(SP)
	MOVQ SI, srcBase-16(SP)
	LEAQ -65(SI)(R8*1), R8
	MOVL $0x1b, AX
	VPBROADCASTB AX, Z16
	MOVL $0x0d, AX
	VPBROADCASTB AX, Z17
	MOVL $0x0a, AX
	VPBROADCASTB AX, Z18
	MOVL $0x5b, AX // [
	VPBROADCASTB AX, Z19
	MOVL $0x5d, AX // ]
	VPBROADCASTB AX, Z20
	MOVL $0x40, AX
	VPBROADCASTB AX, Z21
	MOVL $0x3f, AX
	VPBROADCASTB AX, Z22
	MOVQ $STOP_TAIL, stop+48(FP)
	MOVQ $0, at+56(FP)

loop:
	CMPQ SI, R8
	JHI done
	VMOVDQU8 (SI), Z0
	VPCMPEQB Z16, Z0, K1
	VPCMPEQB Z17, Z0, K2
	KANDQ K7, K2, K2
	KORTESTQ K1, K2
	JNZ slow
	VMOVDQU8 Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	JMP loop

slow:
	// A '\r' followed by anything but '\r' or '\n' rewrites its line:
	// Go cleans that line.
	VMOVDQU8 1(SI), Z1
	KMOVQ K2, BX
	TESTQ BX, BX
	JZ escapes
	VPCMPEQB Z18, Z1, K3
	VPCMPEQB Z17, Z1, K4
	KORQ K3, K4, K3
	KMOVQ K3, CX
	ANDNQ BX, CX, CX
	TESTQ CX, CX
	JNZ innerCR

escapes:
	KMOVQ K1, AX
	TESTQ AX, AX
	JNZ marks
	VMOVDQU8 Z0, (DI) // '\r's ending lines only
	ADDQ $64, SI
	ADDQ $64, DI
	JMP loop

marks:
	VPCMPEQB Z19, Z1, K3
	KMOVQ K3, R9
	VPCMPEQB Z18, Z0, K3
	KMOVQ K3, R10
	VPSUBB Z21, Z0, Z2
	VPCMPUB $1, Z22, Z2, K3 // final bytes: 0x40-0x7e
	KMOVQ K3, R11
	ORQ R10, R11            // a newline ends a sequence too, and stays

#define EACH_MASKS \
	VPCMPEQB Z18, Z1, K3 \
	KMOVQ K3, R13 \
	VPCMPEQB Z20, Z1, K3 \
	KMOVQ K3, DX

#include "strip_walk.h"
