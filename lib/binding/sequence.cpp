// SequenceMatcher: chords and sequences of keys, with Vim's timeout rule and no clock.
//
// The matcher holds the keys that begin some sequence (held_) and the time the last of them
// arrived. Every key fed either extends what is held (still a prefix: wait), completes a
// sequence nothing longer can follow (match), or cannot go on; then resolve() takes the held
// keys apart as Vim does when a mapping cannot continue or 'timeoutlen' passes: the longest
// complete sequence they begin with matches, else the first key is given back, and the rest
// is matched again. Invariants: every key fed ends in exactly one match or none result, in
// the order fed; held_ is empty or a proper prefix of some sequence (or a complete one that
// also begins a longer one); deadline() is last_ + timeout_ exactly when held_ is not empty.
#include "vtinput/binding.hpp"

#include <cstdint>
#include <utility>

#include "support/error.hpp"

namespace vtinput {
namespace {

// Keys that may come between the keys of a chord without breaking it: the modifier keys
// themselves and the lock keys (kitty's "report all keys").
bool is_modifier_key(Key key)
{
    auto v = static_cast<std::uint32_t>(key);
    return (v >= static_cast<std::uint32_t>(Key::left_shift) &&
            v <= static_cast<std::uint32_t>(Key::iso_level5_shift)) ||
           key == Key::caps_lock || key == Key::num_lock;
}

// Whether keys[0, n) match seq[0, n).
bool keys_match(const std::vector<KeyEvent>& keys, std::size_t n, const std::vector<Binding>& seq)
{
    if (n > seq.size()) {
        return false;
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (!matches(keys[i], seq[i])) {
            return false;
        }
    }
    return true;
}

SequenceResult result(SequenceStatus status, std::size_t index, std::vector<KeyEvent> keys)
{
    SequenceResult r;
    r.status = status;
    r.index = index;
    r.keys = std::move(keys);
    return r;
}

}  // namespace

SequenceMatcher::SequenceMatcher(std::optional<std::chrono::milliseconds> timeout) : timeout_(timeout) {}

std::size_t SequenceMatcher::add(std::string_view sequence) { return add(parse_sequence(sequence)); }

std::size_t SequenceMatcher::add(std::vector<Binding> sequence)
{
    if (sequence.empty()) {
        detail::throw_error(std::errc::invalid_argument, "empty key sequence");
    }
    sequences_.push_back(std::move(sequence));
    return sequences_.size() - 1;
}

bool SequenceMatcher::is_complete(const std::vector<KeyEvent>& keys, std::size_t& index) const
{
    for (std::size_t i = 0; i < sequences_.size(); ++i) {
        if (sequences_[i].size() == keys.size() && keys_match(keys, keys.size(), sequences_[i])) {
            index = i;
            return true;
        }
    }
    return false;
}

bool SequenceMatcher::is_prefix(const std::vector<KeyEvent>& keys) const
{
    for (const auto& seq : sequences_) {
        if (seq.size() > keys.size() && keys_match(keys, keys.size(), seq)) {
            return true;
        }
    }
    return false;
}

void SequenceMatcher::resolve(bool final, std::vector<SequenceResult>& out)
{
    std::vector<KeyEvent> keys = std::move(held_);
    held_.clear();
    while (!keys.empty()) {
        if (!final && is_prefix(keys)) {
            held_ = std::move(keys);
            out.push_back(result(SequenceStatus::prefix, 0, held_));
            return;
        }
        // The longest complete sequence the keys begin with (all of them first).
        std::size_t index = 0;
        std::size_t n = keys.size();
        for (; n > 0; --n) {
            std::vector<KeyEvent> head(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(n));
            if (is_complete(head, index)) {
                out.push_back(result(SequenceStatus::match, index, std::move(head)));
                break;
            }
        }
        if (n == 0) {
            n = 1;
            out.push_back(result(SequenceStatus::none, 0, {keys.front()}));
        }
        keys.erase(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(n));
    }
}

SequenceStatus SequenceMatcher::feed(const KeyEvent& key, clock::time_point now, std::vector<SequenceResult>& out)
{
    flush(now, out);
    // A release or a modifier key that continues nothing leaves the held keys alone.
    if (key.kind == KeyKind::release || is_modifier_key(key.key)) {
        std::vector<KeyEvent> next = held_;
        next.push_back(key);
        std::size_t index = 0;
        if (!is_prefix(next) && !is_complete(next, index)) {
            out.push_back(result(SequenceStatus::none, 0, {key}));
            return SequenceStatus::none;
        }
    }
    held_.push_back(key);
    last_ = now;
    std::size_t before = out.size();
    resolve(false, out);
    if (!held_.empty()) {
        return SequenceStatus::prefix;
    }
    // The key fed is the last key of the last result.
    return out.size() > before ? out.back().status : SequenceStatus::none;
}

std::optional<SequenceMatcher::clock::time_point> SequenceMatcher::deadline() const
{
    if (held_.empty() || !timeout_) {
        return std::nullopt;
    }
    return last_ + *timeout_;
}

void SequenceMatcher::flush(clock::time_point now, std::vector<SequenceResult>& out)
{
    auto when = deadline();
    if (when && now >= *when) {
        resolve(true, out);
    }
}

void SequenceMatcher::finish(std::vector<SequenceResult>& out) { resolve(true, out); }

}  // namespace vtinput
