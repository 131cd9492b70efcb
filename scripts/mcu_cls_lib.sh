# mcu_cls_lib.sh — the classifier heads of the size, RAM and speed tables (sourced by scripts/mcu_*.sh).
#
# CLS_HEADS: the heads of mk/cls_fw.mk (`make mcu-cls-heads`), then each of their sets on the small
# and the default backbone, and on the default one with a window of 16; CLS_HEADS="sms-nano
# clinc-default" to choose. A head is untrained (build/mcu/gen/cls-<head>.bin) unless
# MCU_CLS_BLOB_<head> names a trained blob; its table rows show which blob they measured.
if [ -z "${CLS_HEADS:-}" ]; then
  cls_base=$(make -s --no-print-directory mcu-cls-heads | awk '{ print $2 }')
  for s in $(for h in $cls_base; do echo "${h%%-*}"; done | awk '!seen[$0]++'); do
    CLS_HEADS="${CLS_HEADS:-} $(tr ' ' '\n' <<<"$cls_base" | grep "^$s-" | tr '\n' ' ') $s-small $s-default $s-default-w16"
  done
  CLS_HEADS=$(tr ' ' '\n' <<<"$CLS_HEADS" | awk 'NF && !seen[$0]++' | tr '\n' ' ')
fi

cls_make() { make -s --no-print-directory MCU_CLS_HEADS="$CLS_HEADS" "$@"; }
# "head <name> <blob> <test> <col> <rows> <boards...>" of one head.
cls_info() { cls_make mcu-cls-heads | awk -v h="$1" '$2 == h'; }
# The classifier parity text of a firmware's output.
cls_text() { sed -n '/^atome-classify/,/^end /p'; }
# "d<D> L<L> dh<Dh> W<W>", C and F of a parity text.
cls_dims() { head -1 | awk '{ print $3, $4, $5, $6 }'; }
cls_classes() { head -1 | awk '{ print substr($7, 2) }'; }
cls_features() { head -1 | awk '{ print substr($8, 2) }'; }
# Parameters of a head, atome_param_count's (V + C)·D + 2D + L(D² + 13D + 2·Dh·D), from its blob's header (d_model at byte 12, n_layers 16, d_head 20, n_classes 48).
cls_blob_params() {
  od -An -tu4 -j12 -N40 "$1" | tr -s ' \n' ' ' | awk '{ D = $1; L = $2; Dh = $3; C = $10
    print (256 + C) * D + 2 * D + L * (D * D + 13 * D + 2 * Dh * D) }'
}
