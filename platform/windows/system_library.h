#pragma once
// A DLL from System32 loaded for a moment (LoadLibraryExW with LOAD_LIBRARY_SEARCH_SYSTEM32,
// FreeLibrary on exit) and a typed GetProcAddress. For APIs the resident agent needs once or
// never (shell32's known folders at startup, user32's GetLastInputInfo in the session
// reporter only): not importing them keeps those DLLs, and what they pull in, out of the
// service's memory.

#include <windows.h>

#include <utility>

namespace tally::platform {

class SystemLibrary {
  public:
    explicit SystemLibrary(const wchar_t* name)
        : module_(LoadLibraryExW(name, nullptr, LOAD_LIBRARY_SEARCH_SYSTEM32)) {}
    SystemLibrary(const SystemLibrary&) = delete;
    SystemLibrary& operator=(const SystemLibrary&) = delete;
    ~SystemLibrary() {
        if (module_ != nullptr)
            FreeLibrary(module_);
    }

    //! The export as a function pointer of type F; null when the DLL or export is missing.
    template <class F>
    F function(const char* export_name) const {
        if (module_ == nullptr)
            return nullptr;
        return reinterpret_cast<F>(reinterpret_cast<void*>(GetProcAddress(module_, export_name)));
    }

  private:
    HMODULE module_;
};

}  // namespace tally::platform
