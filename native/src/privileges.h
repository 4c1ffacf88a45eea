// Process privileges, no N-API here: what node's process.* cannot do (chroot).
#pragma once

// chroot(path), then chdir("/") so no directory outside stays reachable through the
// working directory. Returns 0, or the errno of the call that failed (*syscall names it).
int enterChroot(const char* path, const char** syscall);
