//go:build !purego

#include "textflag.h"

#include "strip_defs.h"

// The 64-bit mask of the bytes of a chunk whose halves' compare results
// are lo and hi. Uses R15.
#define MASK(lo, hi, r) \
	VPMOVMSKB lo, r \
	VPMOVMSKB hi, R15 \
	SHLQ $32, R15 \
	ORQ R15, r

// The mask of the bytes of the chunk Y0:Y1 equal to those of c. Uses Y4,
// Y5, R15.
#define EQ(c, r) \
	VPCMPEQB c, Y0, Y4 \
	VPCMPEQB c, Y1, Y5 \
	MASK(Y4, Y5, r)

// The same for the chunk a byte further on, Y2:Y3.
#define EQNEXT(c, r) \
	VPCMPEQB c, Y2, Y4 \
	VPCMPEQB c, Y3, Y5 \
	MASK(Y4, Y5, r)

// One group of COMPRESS: the kept bytes of the eight at off(SI), whose
// bits are BX's lowest byte, written at DI, which moves past them; BX
// moves on to the next group's bits. Uses CX, X4, X5.
#define GROUP(off) \
	MOVBLZX BL, CX \
	VMOVQ off(SI), X4 \
	VMOVQ (R12)(CX*8), X5 \
	VPSHUFB X5, X4, X4 \
	VMOVQ X4, (DI) \
	POPCNTL CX, CX \
	ADDQ CX, DI \
	SHRQ $8, BX

// Write the chunk's first R14 bytes but those of R12 at DI, eight source
// bytes at a time, and move SI and DI past them. Each write is of eight
// bytes, of which the kept come first; dst has room for them. Uses BX,
// CX, R12, X4, X5.
#define COMPRESS \
	MOVQ $-1, BX \
	BZHIQ R14, BX, BX \
	ANDNQ BX, R12, BX \
	LEAQ ·stripShuffle(SB), R12 \
	GROUP(0) \
	GROUP(8) \
	GROUP(16) \
	GROUP(24) \
	GROUP(32) \
	GROUP(40) \
	GROUP(48) \
	GROUP(56) \
	ADDQ R14, SI

// The escapes followed by '\n' and ']', for strip_walk.h.
#define EACH_MASKS \
	EQNEXT(Y10, R13) \
	EQNEXT(Y12, DX)

// func stripEscapes256(dst, src *byte, n int, crs bool) (read, written, stop, at int)
//
// stripEscapes with AVX2, for processors without AVX-512's compress: the
// same steps as stripEscapes512 (strip_amd64.s), with each mask made from
// two 32-byte halves, and the kept bytes of a chunk moved into place eight
// at a time, by a shuffle looked up by their mask (stripShuffle).
//
// Registers: SI, DI the source and destination; R8 the last chunk start
// with 65 bytes to read; Y0:Y1 the chunk, Y2:Y3 the chunk a byte further
// on; AX its escapes; R9, R13, DX the escapes followed by '[', '\n', ']';
// R10 its newlines; R11 the bytes that end a CSI sequence; R12 the bytes
// to drop; R14 how many of the chunk's bytes to write; BX, CX, R15
// scratch. Y8-Y14 hold ESC, '\r', '\n', '[', ']', 0x3f and 0x7f in every
// byte, Y15 the '\r's looked for: all, or none.
TEXT ·stripEscapes256(SB), NOSPLIT, $16-64
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), R8
	VPXOR Y15, Y15, Y15
	MOVBLZX crs+24(FP), AX
	TESTQ AX, AX
	JZ 2(PC)
	VPCMPEQB Y15, Y15, Y15
	MOVQ DI, dstBase-8(SP)
	MOVQ SI, srcBase-16(SP)
	LEAQ -65(SI)(R8*1), R8
	MOVL $0x1b, AX
	VMOVD AX, X8
	VPBROADCASTB X8, Y8
	MOVL $0x0d, AX
	VMOVD AX, X9
	VPBROADCASTB X9, Y9
	MOVL $0x0a, AX
	VMOVD AX, X10
	VPBROADCASTB X10, Y10
	MOVL $0x5b, AX // [
	VMOVD AX, X11
	VPBROADCASTB X11, Y11
	MOVL $0x5d, AX // ]
	VMOVD AX, X12
	VPBROADCASTB X12, Y12
	MOVL $0x3f, AX
	VMOVD AX, X13
	VPBROADCASTB X13, Y13
	MOVL $0x7f, AX
	VMOVD AX, X14
	VPBROADCASTB X14, Y14
	MOVQ $STOP_TAIL, stop+48(FP)
	MOVQ $0, at+56(FP)

loop:
	CMPQ SI, R8
	JHI done
	VMOVDQU (SI), Y0
	VMOVDQU 32(SI), Y1
	VPCMPEQB Y8, Y0, Y4
	VPCMPEQB Y8, Y1, Y5
	VPCMPEQB Y9, Y0, Y6
	VPCMPEQB Y9, Y1, Y7
	VPAND Y15, Y6, Y6
	VPAND Y15, Y7, Y7
	VPOR Y4, Y5, Y2
	VPOR Y6, Y7, Y3
	VPOR Y2, Y3, Y2
	VPTEST Y2, Y2
	JNZ slow
	VMOVDQU Y0, (DI)
	VMOVDQU Y1, 32(DI)
	ADDQ $64, SI
	ADDQ $64, DI
	JMP loop

slow:
	MASK(Y4, Y5, AX)
	MASK(Y6, Y7, BX)
	VMOVDQU 1(SI), Y2
	VMOVDQU 33(SI), Y3
	// A '\r' followed by anything but '\r' or '\n' rewrites its line:
	// Go cleans that line.
	TESTQ BX, BX
	JZ escapes
	VPCMPEQB Y10, Y2, Y4
	VPCMPEQB Y10, Y3, Y5
	VPCMPEQB Y9, Y2, Y6
	VPCMPEQB Y9, Y3, Y7
	VPOR Y6, Y4, Y4
	VPOR Y7, Y5, Y5
	MASK(Y4, Y5, CX)
	ANDNQ BX, CX, CX
	TESTQ CX, CX
	JNZ innerCR

escapes:
	TESTQ AX, AX
	JNZ marks
	VMOVDQU Y0, (DI) // '\r's ending lines only
	VMOVDQU Y1, 32(DI)
	ADDQ $64, SI
	ADDQ $64, DI
	JMP loop

marks:
	EQNEXT(Y11, R9)
	EQ(Y10, R10)
	// Final bytes, 0x40-0x7e: above 0x3f and below 0x7f as signed bytes.
	VPCMPGTB Y13, Y0, Y4
	VPCMPGTB Y0, Y14, Y5
	VPAND Y5, Y4, Y4
	VPCMPGTB Y13, Y1, Y5
	VPCMPGTB Y1, Y14, Y6
	VPAND Y6, Y5, Y5
	MASK(Y4, Y5, R11)
	ORQ R10, R11 // a newline ends a sequence too, and stays

#include "strip_walk.h"
