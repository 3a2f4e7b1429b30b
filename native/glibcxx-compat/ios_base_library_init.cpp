// Supplies std::ios_base_library_init() for libstdc++ older than GCC 13.
//
// TorchSharp's libLibTorchSharp.so was linked against GCC 13's libstdc++, whose <iostream> makes every translation
// unit reference this one function (versioned GLIBCXX_3.4.32) so that the iostream objects get initialised. Older
// libstdc++ initialises them unconditionally and has no such function, so an empty definition is exactly right.
// The loader only accepts this unversioned definition once weaken_glibcxx_version has marked the GLIBCXX_3.4.32
// requirement weak; TorchRuntime.Initialize dlopens this library with RTLD_GLOBAL before TorchSharp loads.
namespace std
{
void ios_base_library_init() {}
}
