#pragma once
// For headers that only pass an io_context by reference: declaring it here spares every file that
// includes them <boost/asio/io_context.hpp>, which costs about a second of compile time each. The
// .cpp files that run, post to or time on the io_context include Asio themselves.
namespace boost::asio {
class io_context;
}  // namespace boost::asio
