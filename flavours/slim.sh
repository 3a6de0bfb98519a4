#!/bin/sh
# Make the pot small for images: remove documentation, the compiler tool chain,
# headers and static libraries, 32-bit libraries, tests, the boot and rescue
# files, the installers, pkg and a few daemons a pot does not need.

# whole folders
for path in \
	/boot /rescue /usr/include /usr/lib32 /usr/lib/clang /usr/tests \
	/usr/libexec/bsdconfig /usr/libexec/bsdinstall \
	/usr/share/bsdconfig /usr/share/doc /usr/share/dtrace /usr/share/examples \
	/usr/share/man /usr/share/openssl /usr/share/pc-sysinstall /usr/share/sendmail \
	/var/db/etcupdate /var/db/freebsd-update
do
	rm -rf "$path"
done

# static libraries
rm -f /usr/lib/*.a

# pkg itself and its database (images get their packages installed already)
rm -rf /usr/sbin/pkg /usr/local/sbin/pkg /var/db/pkg/*

# compilers, linkers, debuggers and binary tools
for tool in \
	CC c++ c++filt c89 c99 cc clang clang++ clang-cpp clang-tblgen cpp \
	gdb gdbserver gdbtui ld ld.bfd ld.lld lldb llvm-objdump llvm-tblgen \
	nm objcopy objdump strings strip
do
	rm -f "/usr/bin/$tool"
done

# families of programs, by name prefix
rm -rf /usr/bin/svnlite* /usr/bin/yp*
rm -rf /usr/sbin/bhyve* /usr/sbin/boot* /usr/sbin/yp* /usr/sbin/dtrace
