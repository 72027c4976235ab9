/* Custom actions of the Tally MSI (a DLL built with mingw-w64, see build-msi).
 *
 * RunAgent runs tally-agent.exe (pair on install, retire on uninstall) from a deferred
 * custom action, copies every line it prints into the MSI log (the agent never prints the
 * pairing code) and turns a failure into ERROR_INSTALL_FAILURE, so msiexec exits 1603 with the
 * reason in the log instead of failing silently.
 *
 * CustomActionData: fields separated by '|' (a character Windows paths, URLs and pairing
 * codes cannot contain):
 *   EXE|ARG|ARG|...       the program and its arguments; an option ("--x") followed by an
 *                         empty value is dropped with its value
 *   env:NAME=VALUE        set in the child's environment (skipped when VALUE is empty)
 *   optional:VALUE        VALUE "1": a failure is logged as a warning, the install goes on
 */
// windows.h first: msi.h needs its types.
#include <windows.h>

#include <msi.h>
#include <msiquery.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#define MAX_FIELDS 64

static void log_line(MSIHANDLE install, const wchar_t* text) {
    MSIHANDLE rec = MsiCreateRecord(1);
    MsiRecordSetStringW(rec, 0, L"Tally: [1]");
    MsiRecordSetStringW(rec, 1, text);
    MsiProcessMessage(install, INSTALLMESSAGE_INFO, rec);
    MsiCloseHandle(rec);
}

static wchar_t* get_data(MSIHANDLE install) {
    DWORD size = 0;
    wchar_t empty[1] = L"";
    if (MsiGetPropertyW(install, L"CustomActionData", empty, &size) != ERROR_MORE_DATA)
        return NULL;
    size += 1;
    wchar_t* data = calloc(size, sizeof(wchar_t));
    if (data && MsiGetPropertyW(install, L"CustomActionData", data, &size) != ERROR_SUCCESS) {
        free(data);
        return NULL;
    }
    return data;
}

/* Appends `arg` to `cmd` quoted by the MSVCRT rules (backslashes before quotes doubled). */
static void append_quoted(wchar_t* cmd, size_t cap, const wchar_t* arg) {
    size_t n = wcslen(cmd);
    if (n && n + 1 < cap)
        cmd[n++] = L' ';
    if (n + 1 < cap)
        cmd[n++] = L'"';
    for (const wchar_t* p = arg;; ++p) {
        size_t slashes = 0;
        while (*p == L'\\') {
            ++p;
            ++slashes;
        }
        size_t repeat = (*p == L'"' || *p == 0) ? slashes * 2 + (*p == L'"') : slashes;
        for (size_t i = 0; i < repeat && n + 1 < cap; ++i)
            cmd[n++] = L'\\';
        if (*p == 0)
            break;
        if (n + 1 < cap)
            cmd[n++] = *p;
    }
    if (n + 1 < cap)
        cmd[n++] = L'"';
    cmd[n] = 0;
}

/* Reads the child's output line by line into the log; returns its exit code (or -1). */
static DWORD run_and_log(MSIHANDLE install, wchar_t* cmd, wchar_t* env, wchar_t* last,
                         size_t last_cap) {
    SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, TRUE};
    HANDLE rd = NULL, wr = NULL;
    if (!CreatePipe(&rd, &wr, &sa, 0))
        return (DWORD)-1;
    SetHandleInformation(rd, HANDLE_FLAG_INHERIT, 0);
    STARTUPINFOW si = {0};
    si.cb = sizeof(si);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdOutput = wr;
    si.hStdError = wr;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    PROCESS_INFORMATION pi = {0};
    BOOL ok = CreateProcessW(NULL, cmd, NULL, NULL, TRUE,
                             CREATE_NO_WINDOW | CREATE_UNICODE_ENVIRONMENT, env, NULL, &si, &pi);
    CloseHandle(wr);
    if (!ok) {
        CloseHandle(rd);
        return (DWORD)-1;
    }
    char buf[4096];
    char line[2048];
    size_t used = 0;
    DWORD got = 0;
    wchar_t wline[2048];
    while (ReadFile(rd, buf, sizeof(buf), &got, NULL) && got > 0) {
        for (DWORD i = 0; i < got; ++i) {
            char c = buf[i];
            if (c != '\n' && used + 1 < sizeof(line)) {
                if (c != '\r')
                    line[used++] = c;
                continue;
            }
            line[used] = 0;
            MultiByteToWideChar(CP_UTF8, 0, line, -1, wline, 2048);
            if (used) {
                log_line(install, wline);
                wcsncpy(last, wline, last_cap - 1);
            }
            used = 0;
        }
    }
    if (used) {
        line[used] = 0;
        MultiByteToWideChar(CP_UTF8, 0, line, -1, wline, 2048);
        log_line(install, wline);
        wcsncpy(last, wline, last_cap - 1);
    }
    CloseHandle(rd);
    WaitForSingleObject(pi.hProcess, INFINITE);
    DWORD code = (DWORD)-1;
    GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    return code;
}

/* The upgrade marker: HKLM\SOFTWARE\Tally\Installer, value UpgradeStarted (seconds since
 * 1601, REG_QWORD). A newer MSI sets it just before RemoveExistingProducts and deletes it right
 * after; the old version's retirement skips while it is fresh. Windows also tells the old
 * version with UPGRADINGPRODUCTCODE (the sequence condition), but not every installer engine
 * does (wine's RemoveExistingProducts runs `msiexec /i {old} REMOVE=ALL` without it), and an
 * upgrade must never retire the device. */
#define MARKER_KEY L"SOFTWARE\\Tally\\Installer"
#define MARKER_VALUE L"UpgradeStarted"
#define MARKER_FRESH_S 900

static unsigned long long now_s(void) {
    FILETIME ft;
    GetSystemTimeAsFileTime(&ft);
    return (((unsigned long long)ft.dwHighDateTime << 32) | ft.dwLowDateTime) / 10000000ULL;
}

/* Seconds since a newer version's upgrade started, or -1 when none is marked. */
static long long upgrade_age_s(void) {
    unsigned long long started = 0;
    DWORD size = sizeof(started);
    if (RegGetValueW(HKEY_LOCAL_MACHINE, MARKER_KEY, MARKER_VALUE,
                     RRF_RT_REG_QWORD | RRF_SUBKEY_WOW6464KEY, NULL, &started,
                     &size) != ERROR_SUCCESS)
        return -1;
    return (long long)(now_s() - started);
}

__declspec(dllexport) UINT __stdcall NoteUpgrade(MSIHANDLE install) {
    HKEY key;
    LSTATUS rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, MARKER_KEY, 0, NULL, 0,
                                 KEY_SET_VALUE | KEY_WOW64_64KEY, NULL, &key, NULL);
    if (rc == ERROR_SUCCESS) {
        unsigned long long started = now_s();
        rc =
            RegSetValueExW(key, MARKER_VALUE, 0, REG_QWORD, (const BYTE*)&started, sizeof(started));
        RegCloseKey(key);
    }
    if (rc != ERROR_SUCCESS) {
        wchar_t msg[200];
        swprintf(msg, 200, L"cannot mark the upgrade in HKLM\\%ls (error %ld)", MARKER_KEY,
                 (long)rc);
        log_line(install, msg);
        return ERROR_INSTALL_FAILURE;
    }
    log_line(install, L"upgrade: the old version is removed without retiring the device");
    return ERROR_SUCCESS;
}

__declspec(dllexport) UINT __stdcall EndUpgrade(MSIHANDLE install) {
    (void)install;
    RegDeleteKeyValueW(HKEY_LOCAL_MACHINE, MARKER_KEY, MARKER_VALUE);
    return ERROR_SUCCESS;
}

/* Waits until the TallyAgent service has stopped and its process has exited, so that
 * RetireDevice and RemoveFiles find no agent at work and no image in use. Windows Installer's
 * StopServices waits for SERVICE_STOPPED but not for the process to exit; wine's sends the
 * stop and returns at once, while the agent still sends its final heartbeat and upload (up to
 * ~6 s): the exe then stayed after an uninstall, or the upgrade's new service could not start
 * (1627). Polls the SCM's state the way its own StopServices does; never fails the install:
 * after STOP_WAIT_MS it logs and lets msiexec deal with a file in use. */
#define STOP_WAIT_MS 60000
#define STOP_POLL_MS 100

static void log_wait(MSIHANDLE install, const wchar_t* what, DWORD value) {
    wchar_t msg[200];
    swprintf(msg, 200, what, (unsigned long)value);
    log_line(install, msg);
}

static DWORD time_left(DWORD start) {
    const DWORD spent = GetTickCount() - start;
    return spent < STOP_WAIT_MS ? STOP_WAIT_MS - spent : 0;
}

/* The service's process while it stops (NULL when it is not running), and whether it stopped
 * within the deadline. */
static int wait_service_stopped(SC_HANDLE svc, DWORD start, HANDLE* process) {
    for (;;) {
        SERVICE_STATUS_PROCESS ssp;
        DWORD needed = 0;
        if (!QueryServiceStatusEx(svc, SC_STATUS_PROCESS_INFO, (BYTE*)&ssp, sizeof(ssp), &needed))
            return 1; /* deleted meanwhile: nothing left to wait for */
        if (!*process && ssp.dwProcessId)
            *process = OpenProcess(SYNCHRONIZE, FALSE, ssp.dwProcessId);
        /* Stopped, or its process has exited (a service that ends without reporting
         * SERVICE_STOPPED stays "stop pending" for a while) */
        if (ssp.dwCurrentState == SERVICE_STOPPED ||
            (*process && WaitForSingleObject(*process, 0) == WAIT_OBJECT_0))
            return 1;
        if (GetTickCount() - start >= STOP_WAIT_MS)
            return 0;
        Sleep(STOP_POLL_MS);
    }
}

__declspec(dllexport) UINT __stdcall WaitAgentStopped(MSIHANDLE install) {
    SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    if (!scm) {
        log_wait(install, L"cannot open the service manager (error %lu)", GetLastError());
        return ERROR_SUCCESS;
    }
    SC_HANDLE svc = OpenServiceW(scm, L"TallyAgent", SERVICE_QUERY_STATUS);
    if (!svc) { /* not installed: nothing runs */
        CloseServiceHandle(scm);
        return ERROR_SUCCESS;
    }
    const DWORD start = GetTickCount();
    HANDLE process = NULL;
    if (!wait_service_stopped(svc, start, &process))
        log_wait(install, L"the TallyAgent service did not stop within %lu ms", STOP_WAIT_MS);
    else if (process && WaitForSingleObject(process, time_left(start)) != WAIT_OBJECT_0)
        log_wait(install, L"the TallyAgent process did not exit within %lu ms", STOP_WAIT_MS);
    else
        log_wait(install, L"the agent service has stopped (%lu ms)", GetTickCount() - start);
    if (process)
        CloseHandle(process);
    CloseServiceHandle(svc);
    CloseServiceHandle(scm);
    return ERROR_SUCCESS;
}

__declspec(dllexport) UINT __stdcall RunAgent(MSIHANDLE install) {
    wchar_t* data = get_data(install);
    if (!data || !*data) {
        log_line(install, L"RunAgent: no CustomActionData");
        free(data);
        return ERROR_INSTALL_FAILURE;
    }
    wchar_t* fields[MAX_FIELDS];
    int count = 0;
    for (wchar_t *p = data, *start = data; count < MAX_FIELDS; ++p) {
        if (*p == L'|' || *p == 0) {
            int end = (*p == 0);
            *p = 0;
            fields[count++] = start;
            start = p + 1;
            if (end)
                break;
        }
    }
    static wchar_t cmd[8192];
    cmd[0] = 0;
    int optional = 0;
    /* The child's environment: ours plus the env: fields, as a double-NUL-terminated block. */
    static wchar_t env[32768];
    size_t env_used = 0;
    wchar_t* own = GetEnvironmentStringsW();
    for (wchar_t* e = own; e && *e; e += wcslen(e) + 1) {
        size_t len = wcslen(e) + 1;
        if (env_used + len + 1 >= sizeof(env) / sizeof(env[0]))
            break;
        memcpy(env + env_used, e, len * sizeof(wchar_t));
        env_used += len;
    }
    FreeEnvironmentStringsW(own);
    const wchar_t* verb = count > 1 ? fields[1] : L"";
    const long long upgrade_age = upgrade_age_s();
    if (wcscmp(verb, L"retire") == 0 && upgrade_age >= 0 && upgrade_age < MARKER_FRESH_S) {
        log_line(install, L"not retiring: this is the removal of the old version by an upgrade");
        free(data);
        return ERROR_SUCCESS;
    }
    for (int i = 0; i < count; ++i) {
        wchar_t* f = fields[i];
        if (wcsncmp(f, L"optional:", 9) == 0) {
            optional = wcscmp(f + 9, L"1") == 0;
        } else if (wcsncmp(f, L"env:", 4) == 0) {
            wchar_t* eq = wcschr(f + 4, L'=');
            size_t len = wcslen(f + 4) + 1;
            if (eq && eq[1] && env_used + len + 1 < sizeof(env) / sizeof(env[0])) {
                memcpy(env + env_used, f + 4, len * sizeof(wchar_t));
                env_used += len;
            }
        } else if (wcsncmp(f, L"--", 2) == 0 && i + 1 < count && fields[i + 1][0] == 0) {
            ++i; /* an option without a value: the property was not set */
        } else {
            append_quoted(cmd, sizeof(cmd) / sizeof(cmd[0]), f);
        }
    }
    env[env_used] = 0;
    wchar_t last[1024] = L"";
    wchar_t msg[1400];
    DWORD code = run_and_log(install, cmd, env, last, 1024);
    free(data);
    if (code == 0)
        return ERROR_SUCCESS;
    if (code == (DWORD)-1)
        swprintf(msg, 1400, L"tally-agent %ls could not be started (error %lu)", verb,
                 GetLastError());
    else
        swprintf(msg, 1400, L"tally-agent %ls failed (exit %lu): %ls", verb, code, last);
    log_line(install, msg);
    if (optional) {
        log_line(install, L"continuing: the failure was marked optional");
        return ERROR_SUCCESS;
    }
    return ERROR_INSTALL_FAILURE;
}
