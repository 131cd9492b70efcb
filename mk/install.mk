# make install PREFIX=/usr/local (DESTDIR too): the three tools, the host engine as libatome.a,
# its headers and atome.pc, so that a program builds with `pkg-config --cflags --libs atome`.
#
#   PREFIX/bin/atome-train atome-infer atome-header
#   PREFIX/lib/libatome.a                 the engine objects atome-infer links (-O3, -DATOME_LUT)
#   PREFIX/include/atome/infer/atome.h    and every header it pulls in, under include/atome/common/
#   PREFIX/lib/pkgconfig/atome.pc
#
# atome.h reaches common/ by a relative path, so the headers keep the tree's layout under
# include/atome/. The library's state struct is sized by the ATOME_MAX_* it was compiled with (the
# defaults of common/atome_config.h: any preset fits), so atome.pc pins the same values and
# -DATOME_LUT in every program's Cflags: a model_config.h included first then defines nothing, and
# model.h's own check still refuses a model larger than the library holds.

PREFIX  ?= /usr/local
DESTDIR ?=
LIBATOME := $(BUILD)/host/libatome.a
# The defaults the library is built with, read from the header that sets them.
ATOME_MAX_DEFS = $(shell sed -n 's/^\#define \(ATOME_MAX_[A-Z]*\) \([0-9]*\)$$/-D\1=\2/p' common/atome_config.h)
# ATOME_MAX_LOGITS too: a classifier's model_config.h asks for its C alone, where the library holds
# 256 logits (ATOME_VOCAB), which every classifier fits in; pinned, both sides size the state alike.
ATOME_MAX_DEFS += -DATOME_MAX_LOGITS=$(shell sed -n 's/^\#define ATOME_VOCAB \([0-9]*\)$$/\1/p' common/atome_config.h)

$(LIBATOME): $(ENGINE_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

.PHONY: install
install: all $(LIBATOME)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/atome
	install -m 755 atome-train atome-infer atome-header $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(LIBATOME) $(DESTDIR)$(PREFIX)/lib/
	@# the headers atome.h includes, found by the compiler itself, so a new one is never missed
	for h in $$($(CC) -std=c99 -MM -MT x infer/atome.h | sed 's/^x://; s/\\//g'); do \
	  install -D -m 644 $$h $(DESTDIR)$(PREFIX)/include/atome/$$h || exit 1; done
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$${prefix}/lib' 'includedir=$${prefix}/include' '' \
	  'Name: atome' 'Description: zero-heap C99 inference engine for routed-ternary byte models' \
	  'Version: 0.1.0' 'Libs: -L$${libdir} -latome' \
	  'Cflags: -I$${includedir}/atome/infer -DATOME_LUT $(ATOME_MAX_DEFS)' \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/atome.pc
