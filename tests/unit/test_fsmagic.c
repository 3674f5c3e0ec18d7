/* The statfs magic list: network and FUSE file systems are polled, local
 * ones are not. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fsmagic.h"

START_TEST(remote_polled)
{
    ck_assert_str_eq(aw_fs_needs_poll(0x6969UL), "nfs");
    ck_assert_str_eq(aw_fs_needs_poll(0xFF534D42UL), "cifs");
    ck_assert_str_eq(aw_fs_needs_poll(0xFE534D42UL), "smb2");
    ck_assert_str_eq(aw_fs_needs_poll(0x517BUL), "smb");
    ck_assert_str_eq(aw_fs_needs_poll(0x01021997UL), "9p");
    ck_assert_str_eq(aw_fs_needs_poll(0x65735546UL), "fuse");
    ck_assert_str_eq(aw_fs_needs_poll(0x786F4256UL), "vboxsf");
}
END_TEST

START_TEST(local_not_polled)
{
    ck_assert_ptr_null(aw_fs_needs_poll(0xEF53UL));     /* ext2/3/4 */
    ck_assert_ptr_null(aw_fs_needs_poll(0x01021994UL)); /* tmpfs */
    ck_assert_ptr_null(aw_fs_needs_poll(0x9123683EUL)); /* btrfs */
    ck_assert_ptr_null(aw_fs_needs_poll(0x58465342UL)); /* xfs */
    ck_assert_ptr_null(aw_fs_needs_poll(0x794C7630UL)); /* overlayfs */
    ck_assert_ptr_null(aw_fs_needs_poll(0));
}
END_TEST

/* statfs's f_type is a signed long: CIFS's magic arrives sign-extended */
START_TEST(sign_extended)
{
    long cifs = (long)(int)0xFF534D42U;
    ck_assert_str_eq(aw_fs_needs_poll((unsigned long)cifs), "cifs");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fsmagic");
    TCase *t = tcase_create("magic");
    tcase_add_test(t, remote_polled);
    tcase_add_test(t, local_not_polled);
    tcase_add_test(t, sign_extended);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
