/* Test oracle: read an xl.cfg with Xen's own libxlutil (xlu_cfg_readfile) and print, for each key
 * named on the command line, its value as JSON (string, nested lists, or null when unset), one
 * object per line; libxlutil's error report goes to stderr, the exit status is readfile's. */
#include <stdio.h>
#include <string.h>
#include <libxlutil.h>

static void str(const char *s) {
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') printf("\\%c", c);
        else if (c < 0x20 || c >= 0x7f) printf("\\u%04x", c);
        else putchar(c);
    }
    putchar('"');
}

static void list(XLU_Config *cfg, const XLU_ConfigList *l) {
    putchar('[');
    for (int i = 0;; i++) {
        XLU_ConfigValue *v = xlu_cfg_get_listitem2(l, i);
        if (!v) break;
        if (i) putchar(',');
        if (xlu_cfg_value_type(v) == XLU_STRING) {
            char *s; xlu_cfg_value_get_string(cfg, v, &s, 1); str(s);
        } else {
            XLU_ConfigList *sub; xlu_cfg_value_get_list(cfg, v, &sub, 1); list(cfg, sub);
        }
    }
    putchar(']');
}

int main(int argc, char **argv) {
    XLU_Config *cfg = xlu_cfg_init(stderr, argv[1]);
    int e = xlu_cfg_readfile(cfg, argv[1]);
    if (e) { fprintf(stderr, "readfile: %d\n", e); return 1; }
    for (int i = 2; i < argc; i++) {
        const char *s; XLU_ConfigList *l;
        printf("{\"%s\":", argv[i]);
        if (!xlu_cfg_get_string(cfg, argv[i], &s, 1)) str(s);
        else if (!xlu_cfg_get_list(cfg, argv[i], &l, 0, 1)) list(cfg, l);
        else printf("null");
        printf("}\n");
    }
    return 0;
}
