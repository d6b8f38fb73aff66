// Bracketed paste (mode 2004): everything between `CSI 200 ~` and `CSI 201 ~` is text, never
// keys.
//
// Paste is a mode of the driver: the body streams into `paste` and is delivered in parts of
// at most paste_cap bytes (PasteEvent::continued on all but the last), none of it dropped.
// An end marker cut by the end of the input is kept in `pending` until the next feed says
// whether it is one.
//
// Only the end marker, or the end of the input (finish), ends a paste; time never does. A
// terminal may pause inside a long paste for longer than the stale timeout (mlterm pasting
// 64 KiB does), and ending the paste then would type its tail as keystrokes, which paste
// content must never become. So when time passes (flush) inside a paste, what has arrived is
// delivered as a part with `continued` set, and the paste goes on (pause_paste).
#include "decode/impl.hpp"

#include <cstring>

namespace vtinput {

using namespace detail;  // the decoder's internals (decode/impl.hpp, decode/keys.hpp)

void Decoder::Impl::paste_append(const u8* p, std::size_t n)
{
    while (n > 0) {
        // A cap of 0 would deliver empty parts forever; the smallest part is one byte.
        std::size_t cap = std::max<std::size_t>(opt.paste_cap, 1);
        std::size_t room = paste.size() < cap ? cap - paste.size() : 0;
        std::size_t take = std::min(room, n);
        paste.append(reinterpret_cast<const char*>(p), take);
        p += take;
        n -= take;
        if (paste.size() >= cap) {
            PasteEvent part{std::move(paste), true};
            paste = std::string();
            emit(std::move(part));
        }
    }
}

const u8* Decoder::Impl::scan_paste(const u8* p, const u8* end)
{
    while (p < end) {
        auto* q = static_cast<const u8*>(std::memchr(p, ESC, static_cast<std::size_t>(end - p)));
        if (q == nullptr) {
            paste_append(p, static_cast<std::size_t>(end - p));
            return end;
        }
        paste_append(p, static_cast<std::size_t>(q - p));
        auto avail = static_cast<std::size_t>(end - q);
        std::size_t cmp = std::min(avail, k_paste_end.size());
        if (std::memcmp(q, k_paste_end.data(), cmp) != 0) {
            paste_append(q, 1);  // an ESC inside the paste is text
            p = q + 1;
            continue;
        }
        if (avail < k_paste_end.size()) {
            // A possible end marker cut by the end of the input.
            pending.assign(reinterpret_cast<const char*>(q), avail);
            wait = Wait::stale;
            return end;
        }
        PasteEvent done{std::move(paste), false};
        paste = std::string();
        mode = Mode::ground;
        emit(std::move(done));
        return q + k_paste_end.size();
    }
    return p;
}

// Time passed inside the paste: what has arrived is delivered as a part with `continued` set
// (nothing, if nothing has arrived since the last part), and the paste goes on. A possible
// end marker cut by the end of the input is neither delivered nor held: it is remembered as
// how much of the marker matched (paste_marker), and the next feed continues from there, so
// the marker is still found when its last bytes arrive.
void Decoder::Impl::pause_paste()
{
    paste_marker = static_cast<u8>(pending.size());
    pending.clear();
    if (!paste.empty()) {
        PasteEvent part{std::move(paste), true};
        paste = std::string();
        emit(std::move(part));
    }
}

// The input ended inside the paste: the paste so far is its last part, a partial end marker
// included (it was never completed, so it is text).
void Decoder::Impl::end_paste()
{
    paste_append(reinterpret_cast<const u8*>(k_paste_end.data()), paste_marker);
    paste_marker = 0;
    paste_append(reinterpret_cast<const u8*>(pending.data()), pending.size());
    pending.clear();
    resolve_mode();
}

}  // namespace vtinput
