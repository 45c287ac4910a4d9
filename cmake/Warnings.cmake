# The one warning list; every cqlist target gets it through cqlist_apply_warnings().
set(CQLIST_WARNINGS
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Woverloaded-virtual -Wnull-dereference -Wdouble-promotion -Wformat=2
    -Wimplicit-fallthrough -Wconversion -Wsign-conversion -Werror)

# g++ 12 at -O2/-O3 reports -Wrestrict on `"literal" + std::string` inside libstdc++ itself
# (GCC bug 105329), which would break Release builds for correct code.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  list(APPEND CQLIST_WARNINGS -Wno-restrict)
endif()

function(cqlist_apply_warnings target)
  target_compile_options(${target} PRIVATE ${CQLIST_WARNINGS})
endfunction()
