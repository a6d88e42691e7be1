// Definitions the two stripEscapes kernels share.

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
