/* vfork, so that records name the right process. A vfork child shares our
 * memory, and with it the pid the records carry (track.c, record_pid): this
 * vfork marks the thread as a vfork child in the child, and clears the mark
 * in the parent when it resumes (the child has exec-ed or exited by then;
 * the thread's other records are the parent's again). The system call is
 * made here, as libc does it: the return address is kept in a register,
 * since the child may overwrite the stack we share before the parent runs. */
        .text
        .globl  vfork
        .type   vfork, @function
vfork:
        .cfi_startproc
        endbr64
        popq    %rdx
        .cfi_adjust_cfa_offset -8
        .cfi_register %rip, %rdx
        movl    $58, %eax               /* SYS_vfork */
        syscall
        movq    aw_vfork_child@gottpoff(%rip), %rcx
        xorl    %esi, %esi
        testl   %eax, %eax
        sete    %sil                    /* 1 in the child, 0 in the parent or on error */
        movl    %esi, %fs:(%rcx)
        pushq   %rdx
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset %rip, 0
        cmpl    $-4095, %eax
        jae     1f
        ret
1:      movl    %eax, %edi
        jmp     aw_vfork_failed@PLT     /* sets errno, returns -1 to our caller */
        .cfi_endproc
        .size   vfork, .-vfork

        .section .note.GNU-stack,"",@progbits
