/* test_library.c — the engine as a library other builds pull in (README.md, "Use the engine as a
 * library"): each way gives the bytes of the engine this test links.
 *
 *   CMakeLists.txt     a host program (tests/library/host/) prints the README loop's story; an
 *                      arm-none-eabi firmware (tests/library/fw/) prints the parity text under
 *                      QEMU; the riscv toolchain file builds RISC-V objects; -ffast-math is refused
 *   make install       into a scratch prefix: the README loop built with `pkg-config --cflags
 *                      --libs atome` and the installed atome-header prints the same story
 *   manifests          library.json (jq), library.properties, idf_component.yml, zephyr/module.yml
 *                      parse, hold their format's keys, and every path they name exists; the
 *                      PlatformIO filter and the Arduino src/engine/ name exactly mk/engine_sources.txt;
 *                      all state one version
 *   Arduino            the example sketch (C++, stub Serial) prints the story; src/engine/ built by
 *                      an aarch64 compiler at its defaults (FMA allowed) prints the parity text
 *   sensor example     examples/sensor_classifier (raw sensor floats in, label out) labels its readings
 *                      as this test's engine does, from the same bytes and logits
 *
 * The story: prompt "Once upon a time", 64 greedy bytes of checkpoints/nano.bin.
 */
#include <check.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../infer/atome.h"
#include "../infer/firmware/fw_digest.h"
#include "util.h"

#define MODEL "checkpoints/nano.bin"
#define PROMPT "Once upon a time"
#define STORY_LEN 64
enum { OUT_CAP = 1 << 16, MAX_SRC = 64 };

static char dir[128];
static char out[OUT_CAP];

static void setup(void) { scratch_dir(dir, sizeof dir, "atome-library-test"); }
static void teardown(void) { scratch_remove(dir); }

/* Runs a formatted shell command (in the repo root) and fails the test, with its output, unless
 * it exits 0. */
static void sh(const char *fmt, ...) {
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    ck_assert(n > 0 && n < (int)sizeof cmd);
    int rc = run_cmd(cmd, out, sizeof out);
    ck_assert_msg(rc == 0, "exit %d: %s\n%.1500s", rc, cmd, out);
}

static atome_model host_model;
static atome_state host_state;

/* The README loop's story by the engine linked into this test; NUL-terminated. */
static void host_story(char story[STORY_LEN + 1]) {
    size_t len;
    uint8_t *blob = (uint8_t *)read_all(MODEL, &len);
    ck_assert_int_eq(atome_load(&host_model, blob, len), ATOME_OK);
    atome_reset(&host_state);
    const float *logits = 0;
    for (const char *p = PROMPT; *p; p++) logits = atome_step(&host_model, &host_state, (unsigned char)*p);
    for (int i = 0; i < STORY_LEN; i++) {
        int next = atome_argmax(logits, ATOME_VOCAB);
        story[i] = (char)next;
        logits = atome_step(&host_model, &host_state, next);
    }
    story[STORY_LEN] = 0;
    free(blob);
}

/* Runs a program that prints the story and checks its bytes against the host's. */
static void expect_story(const char *what, const char *program) {
    char want[STORY_LEN + 1], path[256];
    host_story(want);
    snprintf(path, sizeof path, "%s/story.txt", dir);
    sh("%s > %s", program, path);
    size_t n;
    char *got = read_all(path, &n);
    ck_assert_msg(n >= STORY_LEN && memcmp(got, want, STORY_LEN) == 0, "%s: story differs from the host engine's:\n"
                  "  host: %.64s\n  got:  %.64s", what, want, got);
    ck_assert_msg(n == STORY_LEN || (n == STORY_LEN + 1 && got[STORY_LEN] == '\n'), "%s: %zu bytes printed", what, n);
    free(got);
}

static void append(const char *s, void *ctx) {
    size_t *n = ctx, k = strlen(s);
    ck_assert_uint_lt(*n + k, OUT_CAP);
    memcpy(out + *n, s, k + 1);
    *n += k;
}

/* The parity text of checkpoints/nano.bin by this test's engine; malloc'd. */
static char *host_digest(void) {
    size_t len, n = 0;
    uint8_t *blob = (uint8_t *)read_all(MODEL, &len);
    out[0] = 0;
    ck_assert_int_eq(fw_digest(blob, len, &host_model, &host_state, append, &n), ATOME_OK);
    free(blob);
    return strdup(out);
}

/* Fails unless text holds, from "atome-digest " to its "end " line, exactly want. */
static void expect_digest(const char *what, char *text, const char *want) {
    char *begin = strstr(text, "atome-digest "), *end = begin ? strstr(begin, "\nend ") : NULL;
    ck_assert_msg(begin && end && strchr(end + 1, '\n'), "%s: no parity text in:\n%.400s", what, text);
    strchr(end + 1, '\n')[1] = 0;
    ck_assert_msg(strcmp(begin, want) == 0, "%s: parity text differs from the host engine's", what);
}

/* mk/engine_sources.txt, one path a line, each an existing .c file. */
static int engine_sources(char src[MAX_SRC][128]) {
    size_t len;
    char *text = read_all("mk/engine_sources.txt", &len);
    int n = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        ck_assert_int_lt(n, MAX_SRC);
        ck_assert_msg(strlen(line) > 2 && strcmp(line + strlen(line) - 2, ".c") == 0 && access(line, R_OK) == 0,
                      "mk/engine_sources.txt: '%s' is not an existing .c file", line);
        snprintf(src[n++], 128, "%s", line);
    }
    free(text);
    ck_assert_int_gt(n, 0);
    return n;
}

/* Fails unless the n names in got are the engine's sources, each once, in any order. */
static void expect_engine_set(const char *what, char got[][128], int n) {
    char want[MAX_SRC][128];
    int m = engine_sources(want);
    for (int i = 0; i < n; i++) {
        int found = 0;
        for (int j = 0; j < m; j++) found += strcmp(got[i], want[j]) == 0;
        ck_assert_msg(found == 1, "%s names %s, which is not in mk/engine_sources.txt", what, got[i]);
        for (int k = 0; k < i; k++) ck_assert_msg(strcmp(got[i], got[k]) != 0, "%s names %s twice", what, got[i]);
    }
    ck_assert_msg(n == m, "%s names %d engine sources, mk/engine_sources.txt %d", what, n, m);
}

START_TEST(cmake_host_program_prints_the_engines_story) {
    sh("./atome-header " MODEL " %s/model.h --name model", dir);
    sh("cmake -S tests/library/host -B %s/b -DATOME_MODEL_CONFIG=%s/model_config.h -DMODEL_DIR=%s && "
       "cmake --build %s/b -j2", dir, dir, dir, dir);
    char program[256];
    snprintf(program, sizeof program, "%s/b/firmware_loop", dir);
    expect_story("CMake host build", program);
}
END_TEST

START_TEST(cmake_arm_firmware_matches_host_under_qemu) {
    char *want = host_digest();
    sh("./atome-header " MODEL " %s/atome_model.h", dir);
    sh("cmake -S tests/library/fw -B %s/b -DCMAKE_TOOLCHAIN_FILE=$PWD/cmake/arm-none-eabi.cmake "
       "-DATOME_MODEL_CONFIG=%s/atome_model_config.h -DMODEL_DIR=%s", dir, dir, dir);
    /* the engine goes through the library, at -Os, without the host's lookup table */
    sh("cmake --build %s/b -v -t atome", dir);
    ck_assert_msg(strstr(out, "-Os") && strstr(out, "-ffp-contract=off") && !strstr(out, "ATOME_LUT"),
                  "engine flags:\n%.800s", out);
    sh("cmake --build %s/b -j2", dir);
    sh("timeout 120 qemu-system-arm -M mps2-an386 -nographic -semihosting-config enable=on,target=native "
       "-kernel %s/b/fw.elf </dev/null", dir);
    expect_digest("CMake-built mps2-an386 firmware", out, want);
    free(want);
}
END_TEST

START_TEST(cmake_riscv_toolchain_builds_riscv_objects) {
    sh("cmake -S . -B %s/b -DCMAKE_TOOLCHAIN_FILE=$PWD/cmake/riscv64-unknown-elf.cmake "
       "-DATOME_MODEL_CONFIG=$PWD/checkpoints/nano_config.h && cmake --build %s/b -j2", dir, dir);
    sh("riscv64-unknown-elf-objdump -f %s/b/libatome.a", dir);
    ck_assert_msg(strstr(out, "elf32-littleriscv") && !strstr(out, "elf64"), "%.400s", out);
}
END_TEST

/* -ffast-math would change the engine's bits: configuring refuses it in one line. */
START_TEST(cmake_refuses_fast_math) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cmake -S . -B %s/b -DCMAKE_C_FLAGS=-ffast-math", dir);
    ck_assert_int_ne(run_cmd(cmd, out, sizeof out), 0);
    ck_assert_msg(strstr(out, "atome: -ffast-math/-Ofast change the engine's bits"), "%.800s", out);
    char made[256];
    snprintf(made, sizeof made, "%s/b/Makefile", dir);
    ck_assert_msg(access(made, F_OK) != 0, "a build was generated anyway");
}
END_TEST

START_TEST(installed_library_builds_readme_loop_with_pkg_config) {
    sh("make -s install PREFIX=%s/prefix", dir);
    const char *installed[] = {"bin/atome-train", "bin/atome-infer", "bin/atome-header", "lib/libatome.a",
                               "lib/pkgconfig/atome.pc", "include/atome/infer/atome.h"};
    for (size_t i = 0; i < sizeof installed / sizeof *installed; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/prefix/%s", dir, installed[i]);
        ck_assert_msg(access(path, R_OK) == 0, "make install did not write %s", installed[i]);
    }
    /* a classifier's model_config.h asks for its C logits alone: the library's 256 are pinned too */
    sh("PKG_CONFIG_PATH=%s/prefix/lib/pkgconfig pkg-config --cflags atome", dir);
    ck_assert_msg(strstr(out, "-DATOME_MAX_LOGITS=256"), "atome.pc: %s", out);
    sh("%s/prefix/bin/atome-header " MODEL " %s/model.h --name model", dir, dir);
    sh("cc -std=c99 -Wall -Wextra -Werror -I%s tests/library/firmware_loop.c "
       "$(PKG_CONFIG_PATH=%s/prefix/lib/pkgconfig pkg-config --cflags --libs atome) -o %s/loop",
       dir, dir, dir);
    char program[256];
    snprintf(program, sizeof program, "%s/loop", dir);
    expect_story("installed libatome.a", program);
}
END_TEST

/* The value of key in a simple YAML file, its nesting spelled "a.b" (two-space indents, no lists
 * of maps, no flow style: all the manifests here need); NULL if absent. Static storage. */
static const char *yaml_get(const char *text, const char *key) {
    static char value[256];
    char path[4][64] = {{0}};
    for (const char *line = text; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : line + strlen(line)) {
        int indent = 0;
        while (line[indent] == ' ') indent++;
        const char *k = line + indent, *colon = strchr(k, ':'), *eol = strchr(k, '\n');
        if (!eol) eol = k + strlen(k);
        if (*k == '#' || k == eol || !colon || colon > eol) continue;
        ck_assert_msg(indent % 2 == 0 && indent / 2 < 4, "YAML: odd indent in '%.*s'", (int)(eol - line), line);
        int depth = indent / 2;
        snprintf(path[depth], sizeof path[depth], "%.*s", (int)(colon - k), k);
        char full[256] = "";
        for (int d = 0; d <= depth; d++) {
            strcat(full, path[d]);
            if (d < depth) strcat(full, ".");
        }
        if (strcmp(full, key) != 0) continue;
        const char *v = colon + 1;
        while (*v == ' ') v++;
        int n = (int)(eol - v);
        if (n >= 2 && *v == '"' && v[n - 1] == '"') v++, n -= 2;
        snprintf(value, sizeof value, "%.*s", n, v);
        return value;
    }
    return NULL;
}

START_TEST(zephyr_and_esp_idf_manifests_name_existing_files) {
    size_t len;
    char *yml = read_all("zephyr/module.yml", &len);
    char cmake_dir[128] = "", kconfig[128] = "";
    const char *v = yaml_get(yml, "build.cmake");
    if (v) snprintf(cmake_dir, sizeof cmake_dir, "%s", v);
    if ((v = yaml_get(yml, "build.kconfig"))) snprintf(kconfig, sizeof kconfig, "%s", v);
    ck_assert_msg(yaml_get(yml, "name") && *cmake_dir && *kconfig, "zephyr/module.yml: name, build.cmake, build.kconfig");
    char path[256];
    snprintf(path, sizeof path, "%s/CMakeLists.txt", cmake_dir);
    ck_assert_msg(access(path, R_OK) == 0, "zephyr/module.yml: build.cmake %s has no CMakeLists.txt", cmake_dir);
    char *cml = read_all(path, &len);
    ck_assert_msg(access(kconfig, R_OK) == 0, "zephyr/module.yml: no kconfig %s", kconfig);
    char *kc = read_all(kconfig, &len);
    /* the CMake side switches on the Kconfig symbol, and reads the one list of sources */
    ck_assert(strstr(kc, "config ATOME\n") && strstr(cml, "if(CONFIG_ATOME)"));
    ck_assert(strstr(cml, "mk/engine_sources.txt") && strstr(cml, "-ffp-contract=off"));
    free(yml), free(cml), free(kc);

    yml = read_all("idf_component.yml", &len);
    const char *version = yaml_get(yml, "version");
    ck_assert_msg(version && strlen(version) > 0, "idf_component.yml: no version");
    ck_assert_msg(yaml_get(yml, "description"), "idf_component.yml: no description");
    free(yml);
    /* ESP-IDF builds the component from the CMakeLists.txt beside the manifest */
    cml = read_all("CMakeLists.txt", &len);
    char *esp = strstr(cml, "if(ESP_PLATFORM)");
    ck_assert_msg(esp && strstr(esp, "idf_component_register(SRCS ${ATOME_SOURCES} INCLUDE_DIRS \"infer\")") &&
                      strstr(cml, "mk/engine_sources.txt"),
                  "CMakeLists.txt: no ESP-IDF branch registering mk/engine_sources.txt");
    ck_assert(access("infer/atome.h", R_OK) == 0);
    free(cml);
}
END_TEST

START_TEST(platformio_manifest_names_the_engine_sources) {
    sh("jq -e 'has(\"name\") and has(\"version\") and has(\"description\")' library.json");
    sh("jq -r '.build.srcDir, .build.includeDir' library.json");
    ck_assert_str_eq(out, ".\ninfer\n");
    ck_assert(access("infer/atome.h", R_OK) == 0);
    sh("jq -r '.build.flags | join(\" \")' library.json");
    ck_assert_msg(strstr(out, "-ffp-contract=off") && !strstr(out, "fast-math"), "library.json flags: %s", out);
    /* the filter drops everything, then takes exactly the engine's sources back */
    sh("jq -r '.build.srcFilter[]' library.json");
    char names[MAX_SRC][128];
    int n = 0, first = 1;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"), first = 0) {
        if (first) {
            ck_assert_msg(strcmp(line, "-<*>") == 0, "library.json: srcFilter must start with -<*>, not %s", line);
            continue;
        }
        size_t k = strlen(line);
        ck_assert_msg(k > 3 && strncmp(line, "+<", 2) == 0 && line[k - 1] == '>', "library.json: filter %s", line);
        ck_assert_int_lt(n, MAX_SRC);
        snprintf(names[n++], 128, "%.*s", (int)(k - 3), line + 2);
    }
    expect_engine_set("library.json srcFilter", names, n);
    sh("jq -r '.examples[]' library.json");
    glob_t g;
    ck_assert_msg(glob(strtok(out, "\n"), 0, NULL, &g) == 0 && g.gl_pathc > 0, "library.json: no example matches");
    globfree(&g);
}
END_TEST

START_TEST(arduino_manifest_and_wrappers_name_existing_files) {
    size_t len;
    char *props = read_all("library.properties", &len);
    /* the 1.5 format's fields (url too, once the project has a public address) */
    const char *keys[] = {"name", "version", "author", "maintainer", "sentence", "paragraph", "category",
                          "architectures", "includes"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        char want[64];
        int n = snprintf(want, sizeof want, "%s=", keys[i]);
        const char *at = props;
        while (at && strncmp(at, want, (size_t)n) != 0) at = strchr(at, '\n') ? strchr(at, '\n') + 1 : NULL;
        ck_assert_msg(at && at[n] && at[n] != '\n', "library.properties: no %s", keys[i]);
        if (strcmp(keys[i], "includes") == 0) {
            char path[128];
            snprintf(path, sizeof path, "src/%.*s", (int)strcspn(at + n, "\n"), at + n);
            ck_assert_msg(access(path, R_OK) == 0, "library.properties: includes %s, not in src/", path);
        }
        if (strcmp(keys[i], "category") == 0)
            ck_assert_msg(strncmp(at + n, "Data Processing\n", 16) == 0, "library.properties: category");
    }
    free(props);
    /* every example is a folder holding a sketch of its own name */
    glob_t g;
    ck_assert_int_eq(glob("examples/*", GLOB_ONLYDIR, NULL, &g), 0);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        char ino[512];
        snprintf(ino, sizeof ino, "%s/%s.ino", g.gl_pathv[i], strrchr(g.gl_pathv[i], '/') + 1);
        ck_assert_msg(access(ino, R_OK) == 0, "%s missing", ino);
    }
    globfree(&g);
    /* src/engine/: one file per engine source, each including it after engine_unit.h */
    ck_assert_int_eq(glob("src/engine/*.c", 0, NULL, &g), 0);
    char names[MAX_SRC][128];
    int n = 0;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        char *text = read_all(g.gl_pathv[i], &len);
        char *unit = strstr(text, "#include \"engine_unit.h\"\n#include \"../../");
        ck_assert_msg(unit, "%s: not engine_unit.h then one engine source", g.gl_pathv[i]);
        char *name = unit + strlen("#include \"engine_unit.h\"\n#include \"../../");
        ck_assert_int_lt(n, MAX_SRC);
        snprintf(names[n++], 128, "%.*s", (int)strcspn(name, "\""), name);
        free(text);
    }
    globfree(&g);
    expect_engine_set("src/engine/", names, n);
    /* the example's model is what atome-header writes for it today */
    sh("./atome-header " MODEL " %s/model.h --name model", dir);
    char path[256];
    snprintf(path, sizeof path, "%s/model.h", dir);
    ck_assert_msg(same_file(path, "examples/firmware_loop/model.h"), "examples/firmware_loop/model.h is stale");
    snprintf(path, sizeof path, "%s/model_config.h", dir);
    ck_assert_msg(same_file(path, "examples/firmware_loop/model_config.h"), "examples/firmware_loop/model_config.h is stale");
}
END_TEST

/* One version everywhere a manifest states it. */
START_TEST(manifests_agree_on_the_version) {
    sh("jq -r .version library.json");
    char want[32];
    snprintf(want, sizeof want, "%.*s", (int)strcspn(out, "\n"), out);
    ck_assert_int_gt(strlen(want), 0);
    const struct {
        const char *file, *before;
    } stated[] = {{"library.properties", "\nversion="}, {"idf_component.yml", "version: \""},
                  {"CMakeLists.txt", "project(atome VERSION "}, {"mk/install.mk", "'Version: "}};
    for (size_t i = 0; i < sizeof stated / sizeof *stated; i++) {
        size_t len;
        char *text = read_all(stated[i].file, &len), *at = strstr(text, stated[i].before);
        ck_assert_msg(at, "%s: no version", stated[i].file);
        at += strlen(stated[i].before);
        ck_assert_msg(strncmp(at, want, strlen(want)) == 0 && strchr("\n\"' ", at[strlen(want)]),
                      "%s: version %.12s, library.json %s", stated[i].file, at, want);
        free(text);
    }
}
END_TEST

/* The library compiled as an Arduino core would (GNU C, no flags of ours), the sketch as C++. */
#define ARDUINO_CC "gcc -std=gnu11 -Os -Wall -Wextra -Werror -Isrc"
#define ARDUINO_SKETCH "g++ -Wall -Wextra -Werror -x c++ -include tests/library/arduino_stub.h -Isrc -Iexamples/firmware_loop"

START_TEST(arduino_sketch_prints_the_engines_story) {
    sh("for f in src/engine/*.c; do " ARDUINO_CC " -c $f -o %s/$(basename $f .c).o || exit 1; done", dir);
    sh(ARDUINO_SKETCH " examples/firmware_loop/firmware_loop.ino tests/library/arduino_main.cpp -x none %s/*.o "
       "-o %s/sketch -lm", dir, dir);
    char program[256];
    snprintf(program, sizeof program, "%s/sketch", dir);
    expect_story("Arduino sketch", program);
    /* a model whose sizes differ from src/atome_sizes.h stops the build, naming the file */
    char cmd[1024];
    snprintf(cmd, sizeof cmd, ARDUINO_SKETCH " -DATOME_MAX_D=32 -c examples/firmware_loop/firmware_loop.ino -o %s/x.o", dir);
    ck_assert_int_ne(run_cmd(cmd, out, sizeof out), 0);
    ck_assert_msg(strstr(out, "src/atome_sizes.h differ"), "%.600s", out);
}
END_TEST

/* examples/sensor_classifier: its model headers are what `make cls-example` writes from the head it
 * names (mk/cls_fw.mk); the sketch, built as the Arduino one above (C++, src/ at its shipped
 * sizes), labels each reading as the engine here does, from the same F bytes and the same C logits
 * (tests/library/sensor_harness.cpp prints them beside the sketch's own Serial lines). */
START_TEST(sensor_sketch_classifies_like_the_engine) {
    sh("make -s cls-example CLS_EXAMPLE_DIR=%s", dir);
    const char *made[] = {"model.h", "model_config.h"};
    for (int i = 0; i < 2; i++) {
        char path[256], shipped[256];
        snprintf(path, sizeof path, "%s/%s", dir, made[i]);
        snprintf(shipped, sizeof shipped, "examples/sensor_classifier/%s", made[i]);
        ck_assert_msg(same_file(path, shipped), "%s is stale: `make cls-example` rewrites it", shipped);
    }
    sh("make -s cls-example-blob");
    char blob_path[256];
    snprintf(blob_path, sizeof blob_path, "%.*s", (int)strcspn(out, "\n"), out);
    sh("for f in src/engine/*.c; do " ARDUINO_CC " -c $f -o %s/$(basename $f .c).o || exit 1; done", dir);
    sh("g++ -Wall -Wextra -Werror -x c++ -include tests/library/arduino_stub.h -Isrc tests/library/sensor_harness.cpp "
       "-x none %s/*.o -o %s/sensor -lm && %s/sensor", dir, dir, dir);
    size_t len;
    uint8_t *blob = (uint8_t *)read_all(blob_path, &len);
    ck_assert_int_eq(atome_load(&host_model, blob, len), ATOME_OK);
    const int F = host_model.w.cfg.n_features, C = host_model.w.cfg.n_classes;
    ck_assert(F > 0 && F <= 16);
    /* the sketch's Serial lines, then "readings", then one line a reading */
    char *sep = strstr(out, "readings\n"), *serial = out, *line = sep + strlen("readings\n");
    ck_assert_ptr_nonnull(sep);
    *sep = 0;
    int n = 0;
    for (; *line; line = strchr(line, '\n') + 1, n++) {
        float raw[16];
        uint8_t bytes[16];
        for (int f = 0; f < F; f++) {
            uint32_t b = (uint32_t)strtoul(line + 9 * f, NULL, 16);
            memcpy(&raw[f], &b, 4);
        }
        unsigned bytes_crc, logits_crc;
        char label[80], want[128];
        ck_assert_int_eq(sscanf(line + 9 * F, "%8x %8x %79s", &bytes_crc, &logits_crc, label), 3);
        atome_features(&host_model, raw, bytes);
        int k = atome_classify(&host_model, &host_state, bytes, (size_t)F);
        ck_assert_uint_eq(bytes_crc, atome_crc32(0, bytes, (size_t)F));
        ck_assert_uint_eq(logits_crc, fw_logits_crc(host_state.logits, C));
        ck_assert_str_eq(label, atome_label(&host_model, k));
        /* and the sketch printed that label over Serial */
        snprintf(want, sizeof want, "%s\n", label);
        ck_assert_msg(strncmp(serial, want, strlen(want)) == 0, "reading %d: Serial %.20s, want %s", n, serial, label);
        serial += strlen(want);
    }
    ck_assert_int_ge(n, 2);
    ck_assert_str_eq(serial, "");
    free(blob);
}
END_TEST

/* On an FMA CPU with the compiler's defaults, src/engine/ still gives the host's logits: its
 * pragma keeps a*b+c unfused (without it this aarch64 build differs on most lines). */
START_TEST(arduino_engine_keeps_bits_on_an_fma_cpu) {
    char *want = host_digest();
    sh("aarch64-linux-gnu-gcc -std=gnu11 -O2 -static -Wall -Wextra -Werror -Isrc -Iexamples/firmware_loop "
       "-Iinfer/firmware -include src/atome_sizes.h src/engine/*.c tests/library/digest_main.c "
       "infer/firmware/fw_digest.c -o %s/digest -lm", dir);
    sh("qemu-aarch64 %s/digest", dir);
    expect_digest("src/engine/ on aarch64", out, want);
    free(want);
}
END_TEST

Suite *library_suite(void) {
    Suite *s = suite_create("library");
    TCase *t = tcase_create("library");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 300);
    tcase_add_test(t, cmake_host_program_prints_the_engines_story);
    tcase_add_test(t, cmake_arm_firmware_matches_host_under_qemu);
    tcase_add_test(t, cmake_riscv_toolchain_builds_riscv_objects);
    tcase_add_test(t, cmake_refuses_fast_math);
    tcase_add_test(t, installed_library_builds_readme_loop_with_pkg_config);
    tcase_add_test(t, zephyr_and_esp_idf_manifests_name_existing_files);
    tcase_add_test(t, platformio_manifest_names_the_engine_sources);
    tcase_add_test(t, arduino_manifest_and_wrappers_name_existing_files);
    tcase_add_test(t, manifests_agree_on_the_version);
    tcase_add_test(t, arduino_sketch_prints_the_engines_story);
    tcase_add_test(t, sensor_sketch_classifies_like_the_engine);
    tcase_add_test(t, arduino_engine_keeps_bits_on_an_fma_cpu);
    suite_add_tcase(s, t);
    return s;
}
