# libtrack-musl.so: the same shim sources built against musl with musl-gcc,
# for musl-linked programs (glibc's ld.so will not start a program whose
# LD_PRELOAD names a musl object, so each libc gets its own flavour). Built
# only when musl-gcc is installed (tests/setup.sh installs musl-tools); never
# sanitized: the ASan runtime is glibc's.
find_program(MUSL_GCC musl-gcc)
if(MUSL_GCC)
  file(GLOB TRACK_MUSL_SRC CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.c
       ${CMAKE_CURRENT_SOURCE_DIR}/*.S)
  set(TRACK_MUSL ${CMAKE_CURRENT_BINARY_DIR}/libtrack-musl.so)
  add_custom_command(OUTPUT ${TRACK_MUSL}
    COMMAND ${MUSL_GCC} -std=c11 -D_GNU_SOURCE -O2 -g -fPIC -shared
            -Wall -Wextra -Werror -fvisibility=hidden -fno-delete-null-pointer-checks
            -I${CMAKE_CURRENT_SOURCE_DIR} -Wl,-z,nodelete
            ${TRACK_MUSL_SRC} -o ${TRACK_MUSL}
    DEPENDS ${TRACK_MUSL_SRC} ${CMAKE_CURRENT_SOURCE_DIR}/musl.cmake
    COMMENT "Building libtrack-musl.so with musl-gcc" VERBATIM)
  add_custom_target(track_musl ALL DEPENDS ${TRACK_MUSL})
  install(FILES ${TRACK_MUSL} DESTINATION ${CMAKE_INSTALL_LIBDIR}/autowrap)
endif()
