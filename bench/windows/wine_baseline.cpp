// tally-wine-baseline [DLL...]: a process that does nothing: loads the DLLs named (none by
// default), prints its Windows process id, then sleeps. bench/windows/agent-footprint-wine
// measures it exactly as it measures the agent: with no DLL, what wine itself costs any
// process (loader, ntdll/kernel32, heap, TEB, stack); with the agent's imports, what those
// DLLs cost once loaded, so the rest of the agent's figure is the agent's own.
// Linked like tally-agent.exe (static CRT).

#include <windows.h>

#include <cstdio>

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        if (LoadLibraryA(argv[i]) == nullptr) {
            std::fprintf(stderr, "tally-wine-baseline: cannot load %s (error %lu)\n", argv[i],
                         GetLastError());
            return 1;
        }
    }
    std::printf("%lu\n", GetCurrentProcessId());
    std::fflush(stdout);
    Sleep(INFINITE);
    return 0;
}
