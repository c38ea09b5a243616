; Included by electron-builder's NSIS script (nsis.include in electron-builder.yml).
; The app registers merchant-im:// for the current user on first start (Windows installers do not);
; remove that registration and the start-at-login entry when the app is uninstalled.
!macro customUnInstall
  DeleteRegKey HKCU "Software\Classes\merchant-im"
  DeleteRegValue HKCU "Software\Microsoft\Windows\CurrentVersion\Run" "com.merchantim.desktop"
!macroend
