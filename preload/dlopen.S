/* dlopen by tail jump: glibc resolves RUNPATH/$ORIGIN from the return
 * address of its caller, so the real dlopen must see the program's return
 * address, not ours. Save the argument registers, let the C hook report the
 * path and return the real dlopen, restore, jump. */
        .text
        .globl  dlopen
        .type   dlopen, @function
dlopen:
        .cfi_startproc
        endbr64
        pushq   %rdi
        .cfi_adjust_cfa_offset 8
        pushq   %rsi
        .cfi_adjust_cfa_offset 8
        subq    $8, %rsp
        .cfi_adjust_cfa_offset 8
        call    aw_dlopen_hook@PLT
        addq    $8, %rsp
        .cfi_adjust_cfa_offset -8
        popq    %rsi
        .cfi_adjust_cfa_offset -8
        popq    %rdi
        .cfi_adjust_cfa_offset -8
        jmp     *%rax
        .cfi_endproc
        .size   dlopen, .-dlopen

        .section .note.GNU-stack,"",@progbits
