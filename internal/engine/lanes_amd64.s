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
// table), the next state; then, if that state accepts, its event (acc),
// which comes back to back. s holds the state times nclass; the table's
// entries are the next state times nclass, with the accept bit.
//
// Each lane tests its own state: a lane accepts about once in two hundred
// steps, so the branch is taken only where an event is written, and the
// event written is only that lane's.
#define STEP(addr, s, acc, back) \
	MOVBLZX addr, R15 \
	MOVBLZX -256(R13)(R15*1), R15 \
	ADDL R15, s \
	MOVL (R13)(s*4), s \
	TESTL $0x80000000, s \
	JNZ acc \
back:

// Lane j's event: its step and its state s, with the accept bit, which it
// then clears. One event less fits: when none does, the scan stops after
// this step. Uses R15 and R13, which it restores, and goes back to back.
#define ACCEPT(acc, s, j, back) \
acc: \
	MOVQ R13, save13-24(SP) \
	MOVQ task-8(SP), R15 \
	MOVL (T_NEV+4*j)(R15), R13 \
	INCL (T_NEV+4*j)(R15) \
	SHLQ $3, R13 \
	ADDQ (T_EVENTS+8*j)(R15), R13 \
	MOVL s, 4(R13) \
	ANDL $0x7fffffff, s \
	DECQ T_ROOM(R15) \
	JNZ 4(PC) \
	LEAQ 1(R10), R15 \
	MOVQ R15, end-16(SP) \
	MOVQ task-8(SP), R15 \
	MOVL T_TEXT(R15), R15 \
	NEGL R15 \
	ADDL R10, R15 \
	MOVL R15, 0(R13) \
	MOVQ save13-24(SP), R13 \
	JMP back

// func scan8(t *laneTask)
//
// Registers in the loop: AX, BX, CX, DX, SI, DI, R8, R9 the lanes' states;
// R10 lane 0's byte, R11 lane 3's, R14 lane 6's; R12 the stride; R13 the
// table; R15 scratch. Lanes 1, 2, 4, 5 and 7 are R10 or R11 plus the
// stride scaled. On the stack: the task, the end of the steps, and R13
// while an event is written.
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
	STEP((R10), AX, acc0, back0)
	STEP((R10)(R12*1), BX, acc1, back1)
	STEP((R10)(R12*2), CX, acc2, back2)
	STEP((R11), DX, acc3, back3)
	STEP((R10)(R12*4), SI, acc4, back4)
	STEP((R11)(R12*2), DI, acc5, back5)
	STEP((R14), R8, acc6, back6)
	STEP((R11)(R12*4), R9, acc7, back7)
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

	ACCEPT(acc0, AX, 0, back0)
	ACCEPT(acc1, BX, 1, back1)
	ACCEPT(acc2, CX, 2, back2)
	ACCEPT(acc3, DX, 3, back3)
	ACCEPT(acc4, SI, 4, back4)
	ACCEPT(acc5, DI, 5, back5)
	ACCEPT(acc6, R8, 6, back6)
	ACCEPT(acc7, R9, 7, back7)
