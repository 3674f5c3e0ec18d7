__attribute__((visibility("default"))) int b_value(void) { return 42; }
