/* A stand-in for tally-agent.exe in the MSI test, for when the Windows agent is not built:
 * it records how the MSI calls it (C:\ProgramData\TallyStandIn\calls.txt) and runs as a
 * service, so the MSI's own logic (properties, hidden code, pairing and retirement, upgrade,
 * 1603) is tested under wine.
 *   pair ... --code C ...   records the arguments and TALLY_ROLE/TALLY_PROXY; code
 *                           "TLY-REFUSED" is refused (exit 1) with a reason on stderr
 *   retire                  records "retire"
 *   run --service           a service that runs until stopped */
#include <stdio.h>
#include <string.h>
#include <windows.h>

static SERVICE_STATUS_HANDLE handle;
static SERVICE_STATUS status = {SERVICE_WIN32_OWN_PROCESS, SERVICE_START_PENDING, 0, 0, 0, 0, 0};
static HANDLE stop_event;

static void record(const char* line) {
    CreateDirectoryA("C:\\ProgramData\\TallyStandIn", NULL);
    FILE* f = fopen("C:\\ProgramData\\TallyStandIn\\calls.txt", "a");
    if (f) {
        fprintf(f, "%s\n", line);
        fclose(f);
    }
}

static DWORD WINAPI control(DWORD code, DWORD type, void* data, void* ctx) {
    (void)type, (void)data, (void)ctx;
    if (code == SERVICE_CONTROL_STOP || code == SERVICE_CONTROL_SHUTDOWN) {
        status.dwCurrentState = SERVICE_STOP_PENDING;
        SetServiceStatus(handle, &status);
        SetEvent(stop_event);
    }
    return NO_ERROR;
}

static void WINAPI service_main(DWORD argc, char** argv) {
    (void)argc, (void)argv;
    handle = RegisterServiceCtrlHandlerExA("TallyAgent", control, NULL);
    stop_event = CreateEventA(NULL, TRUE, FALSE, NULL);
    status.dwCurrentState = SERVICE_RUNNING;
    status.dwControlsAccepted = SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN;
    SetServiceStatus(handle, &status);
    record("service running");
    WaitForSingleObject(stop_event, INFINITE);
    status.dwCurrentState = SERVICE_STOPPED;
    SetServiceStatus(handle, &status);
}

int main(int argc, char** argv) {
    char line[4096] = "";
    for (int i = 1; i < argc; ++i) {
        strncat(line, argv[i], sizeof(line) - strlen(line) - 2);
        strncat(line, " ", sizeof(line) - strlen(line) - 1);
    }
    if (argc >= 2 && strcmp(argv[1], "run") == 0) {
        SERVICE_TABLE_ENTRYA table[] = {{"TallyAgent", service_main}, {NULL, NULL}};
        return StartServiceCtrlDispatcherA(table) ? 0 : 1;
    }
    char env[1024];
    const char* role = getenv("TALLY_ROLE");
    const char* proxy = getenv("TALLY_PROXY");
    snprintf(env, sizeof env, "| role=%s proxy=%s", role ? role : "", proxy ? proxy : "");
    strncat(line, env, sizeof(line) - strlen(line) - 1);
    record(line);
    if (argc >= 2 && strcmp(argv[1], "pair") == 0) {
        for (int i = 2; i + 1 < argc; ++i) {
            if (strcmp(argv[i], "--code") == 0 && strcmp(argv[i + 1], "TLY-REFUSED") == 0) {
                fprintf(stderr,
                        "tally-agent pair: pairing refused: this pairing code has "
                        "been used up (code_exhausted)\n");
                return 1;
            }
        }
        printf("paired: device dev-standin in tenant acme\n");
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "retire") == 0) {
        printf("retired: device dev-standin will not be billed again\n");
        return 0;
    }
    return 64;
}
