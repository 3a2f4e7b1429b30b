/*
 * weaken_glibcxx_version LIB [VERSION [SYMBOL]]
 *
 * Marks the version requirement VERSION (default GLIBCXX_3.4.32) of the ELF shared library LIB weak
 * (VER_FLG_WEAK in the vna_flags of its Vernaux entry in .gnu.version_r), in place, so that the dynamic loader
 * accepts a libstdc++ that lacks that version. It first checks that SYMBOL (default _ZSt21ios_base_library_initv,
 * std::ios_base_library_init(), which libpiximi_glibcxx_compat.so supplies) is the only symbol bound to that
 * version: weakening a version that other symbols need would turn a clear load error into a crash later.
 *
 * Idempotent. Exit status: 0 patched, already weak, or the version is not required at all (nothing to do);
 * 1 anything unexpected (message on stderr names the file and the problem); 2 usage.
 * If LIB is a hard link or a symbolic link it is replaced by a patched copy rather than written through, so that a
 * NuGet cache file it might point to is never modified.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *lib_path;

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "weaken_glibcxx_version: %s: %s%s%s\n", lib_path, what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

/* True when [offset, offset + size) lies inside a buffer of length len, without overflow. */
static int in_bounds(size_t len, Elf64_Off offset, Elf64_Xword size)
{
    return offset <= len && size <= len - offset;
}

static const char *string_at(const unsigned char *image, const Elf64_Shdr *strtab, Elf64_Word index)
{
    if (index >= strtab->sh_size)
        die("unexpected ELF layout", "string index outside its string table");
    const char *s = (const char *)image + strtab->sh_offset + index;
    if (memchr(s, '\0', strtab->sh_size - index) == NULL)
        die("unexpected ELF layout", "unterminated string");
    return s;
}

static unsigned char *read_file(size_t *len)
{
    FILE *f = fopen(lib_path, "rb");
    if (f == NULL)
        die("cannot open", strerror(errno));
    if (fseek(f, 0, SEEK_END) != 0)
        die("cannot seek", strerror(errno));
    long size = ftell(f);
    if (size < 0)
        die("cannot tell size", strerror(errno));
    rewind(f);
    unsigned char *image = malloc((size_t)size ? (size_t)size : 1);
    if (image == NULL)
        die("out of memory", NULL);
    if (fread(image, 1, (size_t)size, f) != (size_t)size)
        die("cannot read", ferror(f) ? strerror(errno) : "short read");
    fclose(f);
    *len = (size_t)size;
    return image;
}

/* Writes the whole patched image to a sibling temporary file and renames it over LIB (breaks hard/symbolic links). */
static void replace_file(const unsigned char *image, size_t len, mode_t mode)
{
    size_t n = strlen(lib_path) + sizeof(".weaken.XXXXXX");
    char *tmp = malloc(n);
    if (tmp == NULL)
        die("out of memory", NULL);
    snprintf(tmp, n, "%s.weaken.XXXXXX", lib_path);
    int fd = mkstemp(tmp);
    if (fd < 0)
        die("cannot create temporary file", strerror(errno));
    size_t done = 0;
    while (done < len)
    {
        ssize_t w = write(fd, image + done, len - done);
        if (w < 0)
        {
            unlink(tmp);
            die("cannot write temporary file", strerror(errno));
        }
        done += (size_t)w;
    }
    if (fchmod(fd, mode & 07777) != 0 || close(fd) != 0 || rename(tmp, lib_path) != 0)
    {
        unlink(tmp);
        die("cannot replace the file", strerror(errno));
    }
    free(tmp);
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4)
    {
        fprintf(stderr, "usage: weaken_glibcxx_version LIB [VERSION [SYMBOL]]\n");
        return 2;
    }
    lib_path = argv[1];
    const char *version = argc > 2 ? argv[2] : "GLIBCXX_3.4.32";
    const char *symbol = argc > 3 ? argv[3] : "_ZSt21ios_base_library_initv";

    struct stat link_st;
    if (lstat(lib_path, &link_st) != 0)
        die("cannot stat", strerror(errno));
    int must_replace = S_ISLNK(link_st.st_mode) || link_st.st_nlink > 1;
    struct stat st;
    if (stat(lib_path, &st) != 0 || !S_ISREG(st.st_mode))
        die("not a regular file", NULL);

    size_t len;
    unsigned char *image = read_file(&len);

    if (len < sizeof(Elf64_Ehdr) || memcmp(image, ELFMAG, SELFMAG) != 0)
        die("not an ELF file", NULL);
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)image;
    if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB)
        die("unexpected ELF file", "only 64-bit little-endian ELF is handled");
    if (eh->e_type != ET_DYN)
        die("unexpected ELF file", "not a shared library");
    if (eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shnum == 0 ||
        !in_bounds(len, eh->e_shoff, (Elf64_Xword)eh->e_shnum * sizeof(Elf64_Shdr)))
        die("unexpected ELF layout", "bad section header table");
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(image + eh->e_shoff);

    const Elf64_Shdr *verneed = NULL, *versym = NULL, *dynsym = NULL;
    for (int i = 0; i < eh->e_shnum; i++)
    {
        if (sh[i].sh_type == SHT_GNU_verneed)
            verneed = &sh[i];
        else if (sh[i].sh_type == SHT_GNU_versym)
            versym = &sh[i];
        else if (sh[i].sh_type == SHT_DYNSYM)
            dynsym = &sh[i];
        if (sh[i].sh_type != SHT_NOBITS && !in_bounds(len, sh[i].sh_offset, sh[i].sh_size))
            die("unexpected ELF layout", "a section lies outside the file (truncated?)");
    }
    if (verneed == NULL)
    {
        printf("%s: no version requirements (.gnu.version_r); nothing to do\n", lib_path);
        return 0;
    }
    if (verneed->sh_link >= eh->e_shnum)
        die("unexpected ELF layout", ".gnu.version_r links to no string table");
    const Elf64_Shdr *verstr = &sh[verneed->sh_link];

    /* Walk Verneed → Vernaux looking for VERSION. */
    Elf64_Vernaux *target = NULL;
    Elf64_Off need_off = verneed->sh_offset;
    for (Elf64_Word n = 0; n < verneed->sh_info; n++)
    {
        if (!in_bounds(len, need_off, sizeof(Elf64_Verneed)) ||
            need_off + sizeof(Elf64_Verneed) > verneed->sh_offset + verneed->sh_size)
            die("unexpected ELF layout", "Verneed entry outside .gnu.version_r");
        Elf64_Verneed *vn = (Elf64_Verneed *)(image + need_off);
        Elf64_Off aux_off = need_off + vn->vn_aux;
        for (Elf64_Half a = 0; a < vn->vn_cnt; a++)
        {
            if (!in_bounds(len, aux_off, sizeof(Elf64_Vernaux)) ||
                aux_off + sizeof(Elf64_Vernaux) > verneed->sh_offset + verneed->sh_size)
                die("unexpected ELF layout", "Vernaux entry outside .gnu.version_r");
            Elf64_Vernaux *vna = (Elf64_Vernaux *)(image + aux_off);
            if (strcmp(string_at(image, verstr, vna->vna_name), version) == 0)
            {
                if (target != NULL)
                    die("unexpected ELF file", "the version is required twice");
                const char *file = string_at(image, verstr, vn->vn_file);
                if (strncmp(file, "libstdc++.so", 12) != 0)
                    die("unexpected ELF file", "the version is required from a library other than libstdc++");
                target = vna;
            }
            if (vna->vna_next == 0)
                break;
            aux_off += vna->vna_next;
        }
        if (vn->vn_next == 0)
            break;
        need_off += vn->vn_next;
    }
    if (target == NULL)
    {
        printf("%s: does not require %s; nothing to do\n", lib_path, version);
        return 0;
    }

    /* Only SYMBOL may use that version, or weakening it would hide a symbol that is really missing. */
    if (versym == NULL || dynsym == NULL || dynsym->sh_entsize != sizeof(Elf64_Sym) || dynsym->sh_link >= eh->e_shnum)
        die("unexpected ELF layout", "no usable .dynsym/.gnu.version");
    size_t nsyms = dynsym->sh_size / sizeof(Elf64_Sym);
    if (versym->sh_size < nsyms * sizeof(Elf64_Half))
        die("unexpected ELF layout", ".gnu.version is shorter than .dynsym");
    const Elf64_Sym *syms = (const Elf64_Sym *)(image + dynsym->sh_offset);
    const Elf64_Half *vers = (const Elf64_Half *)(image + versym->sh_offset);
    const Elf64_Shdr *dynstr = &sh[dynsym->sh_link];
    int uses = 0;
    for (size_t i = 0; i < nsyms; i++)
    {
        if ((vers[i] & 0x7fff) != target->vna_other)
            continue;
        const char *name = string_at(image, dynstr, syms[i].st_name);
        if (strcmp(name, symbol) != 0)
        {
            fprintf(stderr, "weaken_glibcxx_version: %s: symbol %s also needs %s; refusing to weaken it\n",
                    lib_path, name, version);
            return 1;
        }
        uses++;
    }
    if (uses == 0)
        die("unexpected ELF file", "no symbol uses the version it requires");

    if (target->vna_flags & VER_FLG_WEAK)
    {
        printf("%s: %s already weak\n", lib_path, version);
        return 0;
    }
    target->vna_flags |= VER_FLG_WEAK;

    if (must_replace)
    {
        replace_file(image, len, st.st_mode);
    }
    else
    {
        FILE *f = fopen(lib_path, "r+b");
        long offset = (long)((unsigned char *)&target->vna_flags - image);
        if (f == NULL || fseek(f, offset, SEEK_SET) != 0 ||
            fwrite(&target->vna_flags, sizeof(target->vna_flags), 1, f) != 1 || fclose(f) != 0)
            die("cannot write", strerror(errno));
    }
    printf("%s: marked %s weak (only %s uses it)\n", lib_path, version, symbol);
    free(image);
    return 0;
}
