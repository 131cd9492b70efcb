/* fw_classify.h — the classifier parity run: one text, printed by each classifier firmware under
 * QEMU and built by the host, from the same model and rows (fw_rows.h).
 *
 * For each row: a sensor row's F raw floats become its F bytes by atome_features (the firmware
 * loop: raw floats in, label out), a text row's bytes are its own; atome_classify reads them. Then
 * one line
 *     <row#> <n> <bytes crc> <true> <pred> <logits crc> "<label of pred>"
 * n is how many bytes the classifier read (the text's length, or F); bytes crc their CRC-32
 * (atome_crc32); true and pred class indices; logits crc the CRC-32 of the C class logits, each
 * float as its 4 bytes little-endian (fw_logits_crc), so every logit is compared, not just the
 * class they choose; hex fields in 8 lowercase digits; the label escaped as fw_put_byte does.
 * The text starts with
 *     atome-classify 1 d<D> L<L> dh<Dh> W<W> C<C> F<F> blob <blob CRC field> rows <n>
 * and ends with
 *     summary rows <n> correct <rows where pred = true>
 *     end <number of row lines>
 * A blob atome_load refuses gives "error <atome_strerror>" instead; a language model, or rows of
 * another feature count or with a class out of range, "error <what>".
 *
 * C99, no stdio and no allocation: firmware builds it with the engine.
 */
#ifndef FW_CLASSIFY_H
#define FW_CLASSIFY_H
#include "fw_digest.h"
#include "fw_rows.h"

/* Loads blob into *m and writes the whole text through emit; feature_bytes holds F bytes (unused by
 * a text classifier). Returns ATOME_OK, the loader's error, or -1 for the other errors above. */
int fw_classify(const uint8_t *blob, size_t len, const fw_rows *rows, uint8_t *feature_bytes, atome_model *m,
                atome_state *st, fw_emit emit, void *ctx);

/* Row i's bytes as the classifier reads them: a text row's own, or a sensor row's F bytes of
 * atome_features written to feature_bytes. Their count in *n. The speed run times this and
 * atome_classify, one reading as a firmware would handle it. */
const uint8_t *fw_row_bytes(const atome_model *m, const fw_rows *rows, uint32_t i, uint8_t *feature_bytes, size_t *n);

#endif
