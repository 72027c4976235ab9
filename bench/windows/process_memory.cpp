// tally-process-memory PID: the Windows memory counters of a process (GetProcessMemoryInfo):
// working set, peak working set, private bytes (PrivateUsage), in KiB, one per line.
// bench/windows/agent-footprint-wine runs it next to the agent under wine.

#include <windows.h>

#include <psapi.h>

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: tally-process-memory PID\n");
        return 64;
    }
    const DWORD pid = static_cast<DWORD>(std::strtoul(argv[1], nullptr, 10));
    HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_VM_READ, FALSE, pid);
    if (h == nullptr) {
        std::fprintf(stderr, "tally-process-memory: cannot open process %lu (error %lu)\n", pid,
                     GetLastError());
        return 1;
    }
    PROCESS_MEMORY_COUNTERS_EX c{};
    c.cb = sizeof c;
    const BOOL ok =
        GetProcessMemoryInfo(h, reinterpret_cast<PROCESS_MEMORY_COUNTERS*>(&c), sizeof c);
    CloseHandle(h);
    if (!ok) {
        std::fprintf(stderr, "tally-process-memory: GetProcessMemoryInfo failed (error %lu)\n",
                     GetLastError());
        return 1;
    }
    std::printf("working_set_kib %llu\npeak_working_set_kib %llu\nprivate_bytes_kib %llu\n",
                static_cast<unsigned long long>(c.WorkingSetSize / 1024),
                static_cast<unsigned long long>(c.PeakWorkingSetSize / 1024),
                static_cast<unsigned long long>(c.PrivateUsage / 1024));
    return 0;
}
