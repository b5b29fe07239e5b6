; Inno Setup 6 script for the SEC Desktop installer on Windows: a per-user install (no
; administrator rights) of the one-folder PyInstaller bundle, with a Start-menu entry and an
; optional start at login.
;
; Build the bundle first, then compile, from the repository root:
;
;   pyinstaller --noconfirm --distpath build/dist --workpath build/pyinstaller packaging/sec_desktop.spec
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 packaging\windows\sec-desktop.iss
;
; Defines (ISCC /D<name>=<value>; give folders as absolute paths):
;   AppVersion          the version shown and used in the file name; pass sec_desktop.__version__
;   BundleDir           the bundle to install (default: build\dist\sec-desktop)
;   OutputDir           where the setup program goes (default: build\installers)
;   OutputBaseFilename  its name without .exe (default: sec-desktop-<version>-windows-x64-setup)

#if Ver < EncodeVer(6, 3, 0)
  #error Inno Setup 6.3 or newer is needed (ArchitecturesAllowed=x64compatible).
#endif

; This script is in packaging\windows; the repository root is two folders up.
#define RepoRoot ExtractFileDir(ExtractFileDir(RemoveBackslash(SourcePath)))

#ifndef AppVersion
  ; The workflow and the README always pass the real version; a build without it is marked
  ; as a development build rather than given a number that may be stale.
  #define AppVersion "0.0.0-dev"
#endif
#ifndef BundleDir
  #define BundleDir RepoRoot + "\build\dist\sec-desktop"
#endif
#ifndef OutputDir
  #define OutputDir RepoRoot + "\build\installers"
#endif
#ifndef OutputBaseFilename
  #define OutputBaseFilename "sec-desktop-" + AppVersion + "-windows-x64-setup"
#endif

#define AppName "SEC Desktop"
#define AppExeName "sec-desktop.exe"
#define AppUserModelId "io.github.secdesktop.SecDesktop"
#define AppUrl "https://github.com/secdesktop/sec-desktop"
#define SetupIcon RepoRoot + "\packaging\icons\io.github.secdesktop.SecDesktop.ico"

#if !FileExists(BundleDir + "\" + AppExeName)
  #pragma message "Not found: " + BundleDir + "\" + AppExeName
  #error The bundle is missing: build it with PyInstaller and packaging\sec_desktop.spec first.
#endif
#if !FileExists(SetupIcon)
  #pragma message "Not found: " + SetupIcon
  #error The icon is missing: run scripts/make_icons.py.
#endif

[Setup]
; Fixed for every release: Windows knows the installed app by it, and a new version replaces
; an installed one only when the two share it. Never change it.
AppId={{6A2D2DDA-3F81-438E-9B39-852F39602EE0}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=The SEC Desktop developers
AppPublisherURL={#AppUrl}
AppSupportURL={#AppUrl}/issues
AppUpdatesURL={#AppUrl}/releases
; Per user, like the app's data: no administrator rights, and no dialog offering an install
; for all users (PrivilegesRequiredOverridesAllowed stays unset).
PrivilegesRequired=lowest
DefaultDirName={localappdata}\Programs\{#AppName}
DisableProgramGroupPage=yes
; The bundle is 64-bit; x64compatible also admits Windows 11 on Arm, which runs x64 programs.
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Qt 6 runs on Windows 10 and newer.
MinVersion=10.0
WizardStyle=modern
SetupIconFile={#SetupIcon}
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName}
OutputDir={#OutputDir}
OutputBaseFilename={#OutputBaseFilename}
Compression=lzma2/max
SolidCompression=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "startatlogin"; Description: "Start {#AppName} when you sign in to Windows"; Flags: unchecked

[InstallDelete]
; _internal holds only the bundle's libraries: clear it on an upgrade, so no library a newer
; version no longer ships stays behind.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
; The app's id (io.github.secdesktop.SecDesktop). Windows groups the app's taskbar buttons under
; this entry when the running app declares the same id for its process.
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"; AppUserModelID: "{#AppUserModelId}"; Comment: "Where your time goes, against the SEC framework"

[Registry]
; The value the app's own "Start at login" setting writes (sec_desktop/platform/autostart.py:
; HKCU Run, value "SEC Desktop", the executable's path, quoted), so the installer and the
; checkbox in the app turn on and off the same thing.
Root: HKCU; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: string; ValueName: "{#AppName}"; ValueData: """{app}\{#AppExeName}"""; Flags: uninsdeletevalue; Tasks: startatlogin

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: postinstall nowait skipifsilent

; There is no [UninstallDelete]: the user's entries and settings are never removed. They live
; in %LOCALAPPDATA%\sec-desktop (platformdirs' per-user data and config folders, see
; sec_desktop/store/paths.py) or in a folder the user chose, never under {app}.

[Code]
const
  RunKey = 'Software\Microsoft\Windows\CurrentVersion\Run';
  RunValueName = '{#AppName}';
  QuitTimeoutMs = 15000;
  PollIntervalMs = 250;

function AppExePath: String;
begin
  Result := ExpandConstant('{app}\{#AppExeName}');
end;

{ Windows keeps the file of a running program locked against writing: if it cannot be
  opened for writing, a copy of the app is running from it. }
function IsAppRunning: Boolean;
var
  Stream: TFileStream;
begin
  Result := False;
  if not FileExists(AppExePath) then
    Exit;
  try
    Stream := TFileStream.Create(AppExePath, fmOpenReadWrite or fmShareExclusive);
    Stream.Free;
  except
    Result := True;
  end;
end;

{ Ask a running SEC Desktop to quit, so that it saves and exits before its files are replaced
  or removed, and wait for it to exit. The app is a windowed program with no standard output
  of its own; cmd.exe gives it NUL to write to. A failure is fine: it only means nothing was
  listening. A copy started with another data folder does not hear this request: Setup's own
  check for files in use then catches it, and an uninstall leaves its files behind. }
procedure QuitRunningApp;
var
  ResultCode, WaitedMs: Integer;
begin
  if not IsAppRunning then
    Exit;
  Log('SEC Desktop is running; asking it to quit.');
  Exec(ExpandConstant('{cmd}'), '/C ""' + AppExePath + '" quit >NUL 2>&1"', '', SW_HIDE,
    ewWaitUntilTerminated, ResultCode);
  WaitedMs := 0;
  while IsAppRunning and (WaitedMs < QuitTimeoutMs) do
  begin
    Sleep(PollIntervalMs);
    WaitedMs := WaitedMs + PollIntervalMs;
  end;
  if IsAppRunning then
    Log('SEC Desktop is still running; files in use may stay behind.')
  else
    Log('SEC Desktop has quit.');
end;

function PrepareToInstall(var NeedsRestart: Boolean): String;
begin
  QuitRunningApp;
  Result := '';
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Command: String;
begin
  if CurUninstallStep = usUninstall then
  begin
    QuitRunningApp;
    { The checkbox in the app writes the same Run value as the installer task, and only the
      task's value is in the uninstall log: remove it whoever wrote it, when it starts this
      copy. }
    if RegQueryStringValue(HKCU, RunKey, RunValueName, Command) and
       (Pos(Lowercase(AppExePath), Lowercase(Command)) > 0) then
      RegDeleteValue(HKCU, RunKey, RunValueName);
  end;
end;
