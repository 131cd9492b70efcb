# The trainer (issue 4 fills this in).
atome-train:
	@true
