// The steps stripEscapes512 (strip_amd64.s) and stripEscapes256
// (strip2_amd64.s) share: what to drop of a chunk holding escapes, once
// its masks are made, and the function's end. Each file defines, before
// including this in its function, COMPRESS (write the chunk's first R14
// bytes but those of R12 at DI, and move SI and DI past them), EACH_MASKS
// (the escapes followed by '\n' into R13, and by ']' into DX) and the label
// loop. innerCR stops at a '\r' inside a line, CX's lowest bit; done
// returns.
//
// In: AX the chunk's escapes; R9 those followed by '['; R10 its newlines;
// R11 the bytes that end a CSI sequence.

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
	EACH_MASKS
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
