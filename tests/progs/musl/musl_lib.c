/* A musl-linked library for musl_deps to dlopen. */
int musl_lib_answer(void);
int musl_lib_answer(void) { return 42; }
