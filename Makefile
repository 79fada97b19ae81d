# Copydesk: build, install and package.
#
#   make                       release binaries (static Swift runtime), shell completions, man pages
#   make install               into PREFIX (default /usr/local); DESTDIR= for a staging root
#   sudo make install PREFIX=/usr && sudo make post-install   # on the machine itself
#   make deb                   .build/deb/copydesk_VERSION_ARCH.deb, built from `make install PREFIX=/usr`
#
# The binaries are linked with --static-swift-stdlib, so the target needs no Swift toolchain: only libc, libstdc++,
# libsystemd0, libxml2 and libssl3 (libcrypto), all in a plain Debian 12.

PREFIX      ?= /usr/local
DESTDIR     ?=
BINDIR      ?= $(PREFIX)/bin
# systemd reads units, sysusers.d, tmpfiles.d and catalogs from /usr/lib and /usr/local/lib alike.
SYSTEMDLIB  ?= $(PREFIX)/lib
UNITDIR     ?= $(SYSTEMDLIB)/systemd/system
SYSUSERSDIR ?= $(SYSTEMDLIB)/sysusers.d
TMPFILESDIR ?= $(SYSTEMDLIB)/tmpfiles.d
CATALOGDIR  ?= $(SYSTEMDLIB)/systemd/catalog
# The daemon reads /etc/copydesk/copydesk.toml whatever the prefix, so the configuration is not under PREFIX.
SYSCONFDIR  ?= /etc
DATADIR     ?= $(PREFIX)/share
DOCDIR      ?= $(DATADIR)/doc/copydesk
MANDIR      ?= $(DATADIR)/man
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
# Debian's zsh reads packaged completions from vendor-completions and local ones from site-functions.
ZSHCOMPDIR  ?= $(DATADIR)/zsh/$(if $(filter /usr,$(PREFIX)),vendor-completions,site-functions)
FISHCOMPDIR ?= $(DATADIR)/fish/vendor_completions.d

SWIFT       ?= swift
SWIFTFLAGS  ?= -c release --static-swift-stdlib
INSTALL     ?= install
# Stripped, as Debian ships binaries: 95 MB -> 65 MB each. Swift's runtime metadata lives in its own sections, not in
# the symbol table; only crash backtraces lose names (INSTALLSTRIP= keeps them).
INSTALLSTRIP ?= -s
GENERATED   := .build/generated
# The commit's date, not today's, so the same commit gives the same man pages.
MANFLAGS    ?= --authors "The Copydesk authors" --date $(shell git log -1 --format=%cs 2>/dev/null || date +%F)

BIN         ?= .build/release

.PHONY: all build generated install post-install uninstall deb clean-generated

all: build generated

build:
	$(SWIFT) build $(SWIFTFLAGS) --product copydeskd
	$(SWIFT) build $(SWIFTFLAGS) --product copydesk

# Completions and man pages come from the command definitions themselves (swift-argument-parser), so they never
# drift from `copydesk --help`. generate-manual is argument-parser's own tool, built from the resolved checkout
# (the `swift package generate-manual` plugin would build every product of the package in release mode first).
generated: build
	$(SWIFT) build $(SWIFTFLAGS) --product generate-manual
	rm -rf $(GENERATED) && mkdir -p $(GENERATED)/completions $(GENERATED)/man
	$(BIN)/copydesk --generate-completion-script bash > $(GENERATED)/completions/copydesk.bash
	$(BIN)/copydesk --generate-completion-script zsh > $(GENERATED)/completions/_copydesk
	$(BIN)/copydesk --generate-completion-script fish > $(GENERATED)/completions/copydesk.fish
	$(BIN)/generate-manual $(BIN)/copydesk --output-directory $(GENERATED)/man $(MANFLAGS) \
	    --section 1
	$(BIN)/generate-manual $(BIN)/copydeskd --output-directory $(GENERATED)/man $(MANFLAGS) \
	    --section 8
	@test -s $(GENERATED)/man/copydesk.1 && test -s $(GENERATED)/man/copydeskd.8 || \
	    { echo "make: generate-manual wrote no man page" >&2; exit 1; }

# Installs what `make` built; it does not build (so `sudo make install` never runs the compiler as root).
install:
	@test -x $(BIN)/copydeskd -a -x $(BIN)/copydesk -a -s $(GENERATED)/man/copydesk.1 || \
	    { echo "make install: run 'make' first" >&2; exit 1; }
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) \
	    $(DESTDIR)$(CATALOGDIR) $(DESTDIR)$(SYSCONFDIR)/copydesk $(DESTDIR)$(DOCDIR)/examples \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
	    $(DESTDIR)$(FISHCOMPDIR)
	$(INSTALL) -m 0755 $(INSTALLSTRIP) $(BIN)/copydeskd $(BIN)/copydesk $(DESTDIR)$(BINDIR)/
	# The unit names the binary by its installed path.
	sed 's|^ExecStart=/usr/bin/copydeskd|ExecStart=$(BINDIR)/copydeskd|' deploy/copydeskd.service \
	    > $(DESTDIR)$(UNITDIR)/copydeskd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/copydeskd.service
	grep -qx 'ExecStart=$(BINDIR)/copydeskd' $(DESTDIR)$(UNITDIR)/copydeskd.service
	$(INSTALL) -m 0644 deploy/sysusers.d/copydesk.conf $(DESTDIR)$(SYSUSERSDIR)/copydesk.conf
	$(INSTALL) -m 0644 deploy/tmpfiles.d/copydesk.conf $(DESTDIR)$(TMPFILESDIR)/copydesk.conf
	$(INSTALL) -m 0644 deploy/catalog/copydesk.catalog $(DESTDIR)$(CATALOGDIR)/copydesk.catalog
	# An edited configuration is never overwritten; the pristine example is always in the doc directory.
	test -e $(DESTDIR)$(SYSCONFDIR)/copydesk/copydesk.toml || \
	    $(INSTALL) -m 0644 deploy/copydesk.toml $(DESTDIR)$(SYSCONFDIR)/copydesk/copydesk.toml
	$(INSTALL) -m 0644 deploy/copydesk.toml deploy/rules.conf $(DESTDIR)$(DOCDIR)/examples/
	$(INSTALL) -m 0644 README.md $(DESTDIR)$(DOCDIR)/
	$(INSTALL) -m 0644 $(GENERATED)/man/*.1 $(DESTDIR)$(MANDIR)/man1/
	$(INSTALL) -m 0644 $(GENERATED)/man/*.8 $(DESTDIR)$(MANDIR)/man8/
	$(INSTALL) -m 0644 $(GENERATED)/completions/copydesk.bash $(DESTDIR)$(BASHCOMPDIR)/copydesk
	$(INSTALL) -m 0644 $(GENERATED)/completions/_copydesk $(DESTDIR)$(ZSHCOMPDIR)/_copydesk
	$(INSTALL) -m 0644 $(GENERATED)/completions/copydesk.fish $(DESTDIR)$(FISHCOMPDIR)/copydesk.fish

# What a package's postinst does, for an install straight onto the machine (not into DESTDIR).
post-install:
	systemd-sysusers copydesk.conf
	systemd-tmpfiles --create copydesk.conf
	journalctl --update-catalog
	systemctl daemon-reload

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/copydeskd $(DESTDIR)$(BINDIR)/copydesk $(DESTDIR)$(UNITDIR)/copydeskd.service \
	    $(DESTDIR)$(SYSUSERSDIR)/copydesk.conf $(DESTDIR)$(TMPFILESDIR)/copydesk.conf \
	    $(DESTDIR)$(CATALOGDIR)/copydesk.catalog $(DESTDIR)$(MANDIR)/man1/copydesk*.1 \
	    $(DESTDIR)$(MANDIR)/man8/copydeskd.8 $(DESTDIR)$(BASHCOMPDIR)/copydesk $(DESTDIR)$(ZSHCOMPDIR)/_copydesk \
	    $(DESTDIR)$(FISHCOMPDIR)/copydesk.fish
	rm -rf $(DESTDIR)$(DOCDIR)

deb: all
	scripts/make-deb

clean-generated:
	rm -rf $(GENERATED) .build/deb
