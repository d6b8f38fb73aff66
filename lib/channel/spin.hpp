// Receiver::set_spin's accounting (internal): how long a blocked receive keeps looking, yielding
// the CPU between looks, before it sleeps. Touched only by the receiver's owner.
//
// SpinPolicy::always looks for the whole budget after every event: the lowest latency while
// events keep coming, at up to a core's worth of CPU (76% of a core at 1,000 keys/s with 1 ms).
// SpinPolicy::adaptive, the default, spends from a bank that fills at 1/k_share of the time that
// passes (5%: 50 us per millisecond), holds at most the budget, and pays for every look. So
// looking costs at most 5% of a core however events arrive, idle included (a sleeping receiver
// earns but spends nothing). It looks only when it can afford to wait for the next event: when
// the recent gap between events (quick to shorten, slow to lengthen) fits in the bank. Bursts after a
// quiet spell (a key pressed and released, a drag's reports, a paste followed by keys) find the
// bank full; a steady stream slower than the bank refills is left to the sleep, which it would
// mostly outlast anyway.
#pragma once

#include <algorithm>
#include <chrono>

namespace vtinput::detail {

class SpinBank {
public:
    using clock = std::chrono::steady_clock;
    static constexpr int k_share = 20;  // the bank fills at 1/20 of wall time: 5% of a core

    void set(std::chrono::nanoseconds budget, bool always)
    {
        budget_ = std::max(budget, std::chrono::nanoseconds(0));
        always_ = always;
        bank_ = budget_;
        refilled_ = clock::now();
    }
    bool enabled() const { return budget_.count() > 0; }

    // How long to look now before sleeping (zero: sleep at once).
    std::chrono::nanoseconds allowance(clock::time_point now)
    {
        if (always_) {
            return budget_;
        }
        bank_ = std::min(budget_, bank_ + (now - refilled_) / k_share);
        refilled_ = now;
        return gap_ <= bank_ ? bank_ : std::chrono::nanoseconds(0);
    }
    // `looked` was spent looking.
    void spent(std::chrono::nanoseconds looked)
    {
        if (!always_) {
            bank_ -= std::min(bank_, looked);
        }
    }
    // An event was received at `now`. The expected gap drops at once to a shorter one and rises
    // slowly (weights 3:1, old:new): a burst is seen at its second event, and an idle spell
    // does not make the bank wait for many events to trust the next burst.
    void received(clock::time_point now)
    {
        if (seen_) {
            const std::chrono::nanoseconds gap = now - last_;
            gap_ = gap < gap_ ? gap : (gap_ * 3 + gap) / 4;  // quick to see a burst, slow to forget it
        }
        seen_ = true;
        last_ = now;
    }

private:
    std::chrono::nanoseconds budget_{0};
    std::chrono::nanoseconds bank_{0};
    std::chrono::nanoseconds gap_ = std::chrono::nanoseconds::max();  // until two events were seen
    clock::time_point refilled_{};
    clock::time_point last_{};
    bool always_ = false;
    bool seen_ = false;
};

}  // namespace vtinput::detail
