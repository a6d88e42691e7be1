//go:build !purego

#include "textflag.h"

// How stripEscapes stopped.
#define STOP_TAIL 0
#define STOP_CR 1
#define STOP_ESCAPE 2

// Drop the bytes of the chunk from CX to BX (both included) into the drop
// mask R12, and the escapes among them from AX. Uses R15.
#define DROP_RANGE \
	MOVQ $2, R15 \
	SHLXQ BX, R15, R15 \
	DECQ R15 \
	ANDNQ AX, R15, AX \
	MOVQ $1, BX \
	SHLXQ CX, BX, BX \
	DECQ BX \
	ANDNQ R15, BX, R15 \
	ORQ R15, R12

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

	// Most often every escape starts a CSI sequence that ends in the
	// chunk, and none starts inside another: then one subtraction marks
	// them all. With S the escapes and T the bytes that may end one but
	// the '[' after each escape, T-S borrows from each escape up to the
	// end of its sequence, so (T-S)^T has the bits of every sequence.
	ANDNQ AX, R9, CX
	TESTQ CX, CX
	JNZ each // an escape not followed by '['
	LEAQ (AX)(AX*1), CX
	ANDNQ R11, CX, R12 // T
	MOVQ R12, BX
	SUBQ AX, BX
	JCS each // the last sequence ends past the chunk
	XORQ R12, BX
	ANDNQ AX, BX, CX
	TESTQ CX, CX
	JNZ each // an escape inside a sequence
	ANDNQ BX, R10, R12 // a newline ending a sequence stays
	MOVQ $64, R14
	COMPRESS
	JMP loop

each:
	// One escape after the other.
	VPCMPEQB Z18, Z1, K3
	KMOVQ K3, R13
	VPCMPEQB Z20, Z1, K3
	KMOVQ K3, DX
	XORQ R12, R12

escape:
	TZCNTQ AX, CX // the escape's offset
	BTQ CX, R9
	JCS csi
	BTQ CX, R13
	JCS alone
	BTQ CX, DX
	JCS handOver // OSC: Go's
	// ESC and the byte after it.
	CMPQ CX, $63
	JEQ crossing
	LEAQ 1(CX), BX
	JMP drop

alone:
	// ESC at the end of its line: it alone goes.
	MOVQ CX, BX
	JMP drop

csi:
	// ESC [, parameters, and the first final byte or newline after them.
	CMPQ CX, $62
	JAE crossing
	LEAQ 2(CX), R15
	MOVQ $-1, BX
	SHLXQ R15, BX, BX
	ANDQ R11, BX
	TZCNTQ BX, BX
	JCS crossing // no end in this chunk
	BTQ BX, R10
	SBBQ $0, BX  // a newline ending the sequence is kept

drop:
	DROP_RANGE
	TESTQ AX, AX
	JNZ escape
	MOVQ $64, R14
	COMPRESS
	JMP loop

crossing:
	// The escape ends past the chunk: the next chunk starts with it.
	TESTQ CX, CX
	JZ handOver // as long as a chunk: Go's
	MOVQ CX, R14
	COMPRESS
	JMP loop

handOver:
	MOVQ CX, R14
	COMPRESS
	MOVQ $STOP_ESCAPE, stop+48(FP)
	JMP done

innerCR:
	TZCNTQ CX, CX
	MOVQ CX, at+56(FP)
	MOVQ $STOP_CR, stop+48(FP)

done:
	SUBQ srcBase-16(SP), SI
	MOVQ SI, read+32(FP)
	SUBQ dstBase-8(SP), DI
	MOVQ DI, written+40(FP)
	VZEROUPPER
	RET
