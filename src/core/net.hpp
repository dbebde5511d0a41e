// Namespace aliases for the networking stack, declared once.
#pragma once

#include <boost/asio/awaitable.hpp>

namespace boost::beast {}
namespace boost::beast::http {}

namespace lk {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
template <class T>
using awaitable = boost::asio::awaitable<T>;
}  // namespace lk
