//go:build !purego

#include "textflag.h"

// laneTask offsets (lanes.go).
#define T_DELTA 0
#define T_TEXT 8
#define T_STRIDE 16
#define T_STEPS 24
#define T_DONE 32
#define T_ROOM 40
#define T_STATES 48
#define T_NEV 80
#define T_EVENTS 112

// One lane's step: the byte at addr, its class (in the 256 bytes before the
// table), the next state. s holds the state times nclass; the table's
// entries are the next state times nclass, with the accept bit.
#define STEP(addr, s) \
	MOVBLZX addr, R15 \
	MOVBLZX -256(R13)(R15*1), R15 \
	ADDL R15, s \
	MOVL (R13)(s*4), s

// One lane's event, after a step that reached an accepting state in some
// lane: written after the lane's events in any case, counted only if s
// accepts. R12 holds the task, R11 the step.
#define EVENT(s, lane) \
	MOVL (T_NEV+4*lane)(R12), R15 \
	SHLQ $3, R15 \
	ADDQ (T_EVENTS+8*lane)(R12), R15 \
	MOVL R11, 0(R15) \
	MOVL s, 4(R15) \
	BTL $31, s \
	ADCL $0, (T_NEV+4*lane)(R12) \
	ANDL $0x7fffffff, s

// func scan8(t *laneTask)
//
// Registers in the loop: AX, BX, CX, DX, SI, DI, R8, R9 the lanes' states;
// R10 lane 0's byte, R11 lane 3's, R14 lane 6's; R12 the stride; R13 the
// table; R15 scratch. Lanes 1, 2, 4, 5 and 7 are R10 or R11 plus the
// stride scaled.
TEXT ·scan8(SB), NOSPLIT, $32-8
	MOVQ t+0(FP), R15
	MOVQ R15, task-8(SP)
	MOVQ T_DELTA(R15), R13
	MOVQ T_STRIDE(R15), R12
	MOVQ T_TEXT(R15), R10
	MOVQ T_STEPS(R15), AX
	ADDQ R10, AX
	MOVQ AX, end-16(SP)
	ADDQ T_DONE(R15), R10
	LEAQ (R10)(R12*2), R11
	ADDQ R12, R11          // lane 3
	LEAQ (R11)(R12*2), R14
	ADDQ R12, R14          // lane 6
	MOVL (T_STATES+0)(R15), AX
	MOVL (T_STATES+4)(R15), BX
	MOVL (T_STATES+8)(R15), CX
	MOVL (T_STATES+12)(R15), DX
	MOVL (T_STATES+16)(R15), SI
	MOVL (T_STATES+20)(R15), DI
	MOVL (T_STATES+24)(R15), R8
	MOVL (T_STATES+28)(R15), R9
	CMPQ R10, end-16(SP)
	JAE exit

loop:
	STEP((R10), AX)
	STEP((R10)(R12*1), BX)
	STEP((R10)(R12*2), CX)
	STEP((R11), DX)
	STEP((R10)(R12*4), SI)
	STEP((R11)(R12*2), DI)
	STEP((R14), R8)
	STEP((R11)(R12*4), R9)
	MOVL AX, R15
	ORL BX, R15
	ORL CX, R15
	ORL DX, R15
	ORL SI, R15
	ORL DI, R15
	ORL R8, R15
	ORL R9, R15
	TESTL $0x80000000, R15
	JNZ accept

next:
	INCQ R10
	INCQ R11
	INCQ R14
	CMPQ R10, end-16(SP)
	JB loop

exit:
	MOVQ task-8(SP), R15
	MOVL AX, (T_STATES+0)(R15)
	MOVL BX, (T_STATES+4)(R15)
	MOVL CX, (T_STATES+8)(R15)
	MOVL DX, (T_STATES+12)(R15)
	MOVL SI, (T_STATES+16)(R15)
	MOVL DI, (T_STATES+20)(R15)
	MOVL R8, (T_STATES+24)(R15)
	MOVL R9, (T_STATES+28)(R15)
	SUBQ T_TEXT(R15), R10
	MOVQ R10, T_DONE(R15)
	RET

accept:
	// Free R11 and R12 for the step and the task.
	MOVQ R11, save11-24(SP)
	MOVQ R12, save12-32(SP)
	MOVQ task-8(SP), R12
	MOVQ R10, R11
	SUBQ T_TEXT(R12), R11
	EVENT(AX, 0)
	EVENT(BX, 1)
	EVENT(CX, 2)
	EVENT(DX, 3)
	EVENT(SI, 4)
	EVENT(DI, 5)
	EVENT(R8, 6)
	EVENT(R9, 7)
	DECQ T_ROOM(R12)
	MOVQ save12-32(SP), R12
	MOVQ save11-24(SP), R11
	JNZ next
	// No more room: stop after this step.
	INCQ R10
	JMP exit
