/* vfork: the child shares our memory, so the pid cache (selfpid.c) must not
 * answer for it while it runs: aw_vm_kids counts the vfork in progress. Not
 * a C wrapper: the child returns through the wrapper and reuses its stack
 * frame before the parent resumes. As in libc's own vfork, the return
 * address is kept in a register (each process has its own) across the
 * system call, and the stack is left as the caller had it. */
        .text
        .globl  vfork
        .type   vfork, @function
vfork:
        .cfi_startproc
        endbr64
        lock incl aw_vm_kids(%rip)
        popq    %rdi
        .cfi_adjust_cfa_offset -8
        .cfi_register %rip, %rdi
        movl    $58, %eax               /* SYS_vfork */
        syscall
        pushq   %rdi
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset %rip, 0
        testq   %rax, %rax
        jz      2f
        /* parent (or failure): the child has exec'd or exited */
        lock decl aw_vm_kids(%rip)
        cmpq    $-4095, %rax
        jae     3f
        ret
2:      /* child: with a shadow stack (shared with the parent) in use, return
         * by jump and leave it alone, as glibc does */
        xorl    %esi, %esi
        rdsspq  %rsi
        testq   %rsi, %rsi
        jz      1f
        popq    %rdi
        jmp     *%rdi
1:      ret
3:      negl    %eax
        pushq   %rax                    /* also aligns the stack for the call */
        call    __errno_location@PLT
        popq    %rcx
        movl    %ecx, (%rax)
        movq    $-1, %rax
        ret
        .cfi_endproc
        .size   vfork, .-vfork

        .section .note.GNU-stack,"",@progbits
