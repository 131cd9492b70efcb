# Firmware for QEMU boards (issue 5 fills this in).
mcu:
	@true
