// Visiting an Event exhaustively (internal): the forms (json.cpp, human.cpp) and the channel's
// record encoding (channel/record.hpp) each handle every event type this way.
//
// std::visit(overloaded{[](const KeyEvent&) {...}, ...}, event) with one case per alternative
// and no catch-all (`auto`) case: an event type added to vtinput::Event then does not compile
// until each of them decides what to do with it, instead of slipping through a chain of get_if.
#pragma once

namespace vtinput::detail {

template <class... Fs>
struct overloaded : Fs... {
    using Fs::operator()...;
};
template <class... Fs>
overloaded(Fs...) -> overloaded<Fs...>;

}  // namespace vtinput::detail
