/* libFuzzer target: link shaping parameters (link/shaping.c), as
 * '--link tc,...', the CLI's 'link'/'set' and Lua's addLink() give them.
 *
 * The input is a "key=value,..." list for shaping_parse_list(); its text
 * up to the first '=' and after it is also one key and one value for
 * shaping_set().  Whatever is accepted must be in range and format
 * safely; shaping_set() must leave the shaping as it was when it fails. */
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *list = fuzz_string(data, size), *eq;
	struct emu_err err = { 0 };
	struct shaping s, before;
	int ret;

	shaping_init(&s);
	ret = shaping_parse_list(&s, list, &err);
	if (ret)
		fuzz_check_err(&err, ret);
	fuzz_check_shaping(&s);	/* also the items before a bad one */

	/* From what the list left, so that a failure has something to
	 * keep. */
	eq = strchr(list, '=');
	if (eq) {
		*eq = '\0';
		before = s;
		emu_err_clear(&err);
		ret = shaping_set(&s, list, eq + 1, &err);
		if (ret) {
			fuzz_check_err(&err, ret);
			fuzz_check(!memcmp(&s, &before, sizeof(s)),
				   "failed shaping_set changed the shaping");
		}
		fuzz_check_shaping(&s);
	}
	free(list);
	return 0;
}
